package io.shulian.gateway.cli;

import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.CertificateRequests;
import io.shulian.core.trust.CityTrust;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "csr",
    mixinStandardHelpOptions = true,
    description = {
      "Write certificate requests for our keys, or install the issued certificates.",
      "One request per key in key.p12: the signing key's is signed by itself, the encryption and "
          + "TLS keys' by the signing key (X25519 cannot sign). The city CA answers with 'shulian ca "
          + "sign-csr'; private keys never leave key.p12. With --install, put the certificates the CA "
          + "issued into key.p12 instead."
    })
final class CsrCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--key", required = true, description = "our key.p12 (e.g. from 'shulian keygen')")
  Path key;

  @Option(names = "--password", description = "PKCS#12 password (else $SHULIAN_KEY_PASSWORD, else 'changeit')")
  String password;

  @Option(names = "--party", description = "PartyId to request certificates for")
  String party;

  @Option(names = "--out", description = "output csr.pem")
  Path out;

  @Option(names = "--install", description = "cert.pem from 'shulian ca sign-csr': replace the certificates in key.p12")
  Path install;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (install != null) {
      if (party != null || out != null) {
        throw Cli.usage(spec, "--install takes no --party or --out");
      }
      char[] pw = CliSupport.password(password, err);
      PartyIdentity identity = PartyIdentity.load(key, pw);
      List<X509Certificate> certs = CityTrust.readCertificates(TrustFiles.readPemText(install));
      PartyIdentity updated = identity.withCertificates(certs);
      updated.store(key, pw);
      err.println("installed the CA's certificates into " + key + " for " + updated.party());
      for (PartyCertificate c : updated.certificates()) {
        err.printf("  %-8s key id %s%n", c.uses(), c.keyId());
      }
      err.flush();
      return ExitCodes.OK;
    }
    if (party == null || out == null) {
      throw Cli.usage(spec, "--party and --out are required (or --install)");
    }
    PartyId id = Cli.partyId(spec, party, "--party");
    PartyIdentity identity = CliSupport.loadIdentity(key, password, err);
    String pem = CertificateRequests.create(identity, id);
    PartyIdentity.writeAtomically(out, pem.getBytes(StandardCharsets.US_ASCII));
    err.println("wrote " + (identity.tlsCertificate().isPresent() ? 3 : 2) + " certificate requests for " + id + " to " + out);
    err.flush();
    return ExitCodes.OK;
  }
}
