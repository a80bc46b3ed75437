package io.shulian.gateway.cli;

import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.CertificateRequests;
import io.shulian.core.trust.CityTrust;
import io.shulian.core.trust.TrustException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
          + "sign-csr'; private keys never leave key.p12. With --install and --root, the certificates the "
          + "CA issued replace ours in key.p12 and in cert.pem next to it, once each is shown to chain to "
          + "the city root and to hold the public key of one of our keys (one certificate per key, same "
          + "usage); anything else is refused with exit code 3 and nothing is changed."
    })
final class CsrCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin KeyOptions keys;

  @Option(names = "--party", description = "PartyId to request certificates for")
  String party;

  @Option(names = "--out", description = "output csr.pem")
  Path out;

  @Option(names = "--install", description = "cert.pem from 'shulian ca sign-csr': replace the certificates in key.p12 and cert.pem")
  Path install;

  @Option(names = "--root", description = "with --install: the city root (root.pem) the issued certificates must chain to")
  Path root;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (install != null) {
      if (party != null || out != null) {
        throw Cli.usage(spec, "--install takes no --party or --out");
      }
      return install(err);
    }
    if (root != null) {
      throw Cli.usage(spec, "--root goes with --install");
    }
    if (party == null || out == null) {
      throw Cli.usage(spec, "--party and --out are required (or --install)");
    }
    PartyId id = Cli.partyId(spec, party, "--party");
    PartyIdentity identity = keys.load(err);
    String pem = CertificateRequests.create(identity, id);
    PartyIdentity.writeAtomically(out, pem.getBytes(StandardCharsets.US_ASCII));
    err.println("wrote " + (identity.tlsCertificate().isPresent() ? 3 : 2) + " certificate requests for " + id + " to " + out);
    err.flush();
    return ExitCodes.OK;
  }

  /**
   * Installs the issued certificates: each must chain to --root and belong to one of our keys with
   * the same usage, and every key must get one. Only then are key.p12 and cert.pem replaced (each
   * atomically); cert.pem holds the party certificates only, the root stays in root.pem.
   */
  private int install(PrintWriter err) throws Exception {
    if (root == null) {
      throw Cli.usage(spec, "--install needs --root root.pem: the issued certificates are checked against the city "
          + "root before they replace ours");
    }
    TrustFiles.Material roots = TrustFiles.read(root, new TrustFiles.Material());
    if (roots.cas.isEmpty()) {
      throw Cli.usage(spec, "--root " + root + " holds no CA certificate");
    }
    char[] pw = keys.password(err);
    PartyIdentity identity = PartyIdentity.load(keys.key, pw);
    // CA certificates in the file (sign-csr once appended the root) are not installed: the trusted root is --root
    List<PartyCertificate> issued = TrustFiles.read(install, new TrustFiles.Material()).parties;
    CityTrust city = CityTrust.builder().roots(roots.cas).allowMissingCrl().build();
    Instant now = Instant.now();
    List<PartyCertificate> ours = identity.certificates();
    PartyCertificate[] replacement = new PartyCertificate[ours.size()];
    for (PartyCertificate c : issued) {
      int i = indexOfKey(ours, c);
      if (i < 0) {
        throw new Cli.RejectedException(install + ": certificate " + c.keyId() + " (" + c.uses() + ") of " + c.party()
            + " does not match any key in " + keys.key + "; nothing was installed");
      }
      if (!c.uses().equals(ours.get(i).uses())) {
        throw new Cli.RejectedException(install + ": certificate " + c.keyId() + " allows " + c.uses() + " but our key "
            + "with that public key is for " + ours.get(i).uses() + "; nothing was installed");
      }
      if (replacement[i] != null) {
        throw new Cli.RejectedException(install + ": two certificates for our " + c.uses() + " key; nothing was installed");
      }
      KeyUse use = c.allows(KeyUse.TLS) ? KeyUse.TLS : c.allows(KeyUse.SIGN) ? KeyUse.SIGN : KeyUse.ENCRYPT;
      try {
        city.validate(c, use, now);
      } catch (TrustException e) {
        throw new Cli.RejectedException(install + ": certificate " + c.keyId() + " of " + c.party() + " is not valid "
            + "under --root " + root + " (" + e.code() + "): " + e.getMessage() + "; nothing was installed");
      }
      replacement[i] = c;
    }
    for (int i = 0; i < replacement.length; i++) {
      if (replacement[i] == null) {
        throw new Cli.RejectedException(install + " holds no certificate for our " + ours.get(i).uses() + " key "
            + ours.get(i).keyId() + "; nothing was installed");
      }
      if (!replacement[i].party().equals(replacement[0].party())) {
        throw new Cli.RejectedException(install + ": the certificates name more than one party (" + replacement[0].party()
            + ", " + replacement[i].party() + "); nothing was installed");
      }
    }
    List<X509Certificate> chain = new ArrayList<>();
    for (PartyCertificate c : replacement) {
      chain.add(c.certificate());
    }
    chain.addAll(roots.cas);
    PartyIdentity updated = identity.withCertificates(chain);
    Path certPem = keys.key.toAbsolutePath().resolveSibling("cert.pem");
    updated.store(keys.key, pw);
    PartyIdentity.writeAtomically(certPem, PartyCertificate.toPem(updated.certificates()).getBytes(StandardCharsets.US_ASCII));
    err.println("installed the city-issued certificates into " + keys.key + " and " + certPem + " for " + updated.party());
    for (PartyCertificate c : updated.certificates()) {
      err.printf("  %-8s key id %s%n", c.uses(), c.keyId());
    }
    err.flush();
    return ExitCodes.OK;
  }

  private static int indexOfKey(List<PartyCertificate> ours, PartyCertificate c) {
    byte[] spki = c.certificate().getPublicKey().getEncoded();
    for (int i = 0; i < ours.size(); i++) {
      if (Arrays.equals(spki, ours.get(i).certificate().getPublicKey().getEncoded())) {
        return i;
      }
    }
    return -1;
  }
}
