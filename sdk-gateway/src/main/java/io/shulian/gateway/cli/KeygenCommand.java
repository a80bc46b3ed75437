package io.shulian.gateway.cli;

import io.shulian.core.keys.KeyAlgorithm;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    description = {
      "Generate a party's signing, encryption and TLS keys with self-signed certificates.",
      "Writes <dir>/key.p12 (PKCS#12, entries 'sign', 'encrypt' and 'tls') and <dir>/cert.pem "
          + "(the public certificates to give to other parties). Use 'shulian ca issue' once a city CA "
          + "exists."
    })
final class KeygenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--suite", required = true, description = "intl or gm")
  String suite;

  @Option(names = "--curve", description = "INTL only: 25519 (Ed25519 + X25519, default) or p256 (ECDSA + ECDH P-256)")
  String curve = "25519";

  @Option(names = "--party", required = true, description = "PartyId, e.g. 440600/11440600MB2C1234HN/housing")
  String party;

  @Option(names = "--out", required = true, description = "output directory")
  Path out;

  @Mixin ValidityOptions validityOptions;

  @Option(names = "--password", description = "PKCS#12 password (else $SHULIAN_KEY_PASSWORD, else 'changeit')")
  String password;

  @Option(names = "--force", description = "overwrite an existing key.p12")
  boolean force;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Suite s = Cli.suite(spec, suite);
    PartyId id = Cli.partyId(spec, party, "--party");
    Duration validity = validityOptions.validity(spec);
    Path p12 = out.resolve("key.p12");
    if (Files.exists(p12) && !force) {
      throw Cli.usage(spec, p12 + " exists; use --force to replace it");
    }
    PartyIdentity identity;
    if (s == Suite.INTL && "p256".equalsIgnoreCase(curve)) {
      identity = PartyIdentity.generateSelfSigned(KeyAlgorithm.P256, KeyAlgorithm.P256, id, validity);
    } else if (s == Suite.GM || "25519".equals(curve)) {
      identity = PartyIdentity.generateSelfSigned(s, id, validity);
    } else {
      throw Cli.usage(spec, "--curve must be 25519 or p256");
    }
    char[] pw = CliSupport.password(password, err);
    Files.createDirectories(out);
    identity.store(p12, pw);
    PartyIdentity.writeAtomically(out.resolve("cert.pem"),
        PartyCertificate.toPem(identity.certificates()).getBytes(StandardCharsets.US_ASCII));
    err.println("wrote " + p12 + " and " + out.resolve("cert.pem") + " for " + id + " (" + s + ")");
    err.println("  signing key id:    " + identity.signingCertificate().keyId());
    err.println("  encryption key id: " + identity.encryptionCertificate().keyId());
    err.flush();
    return ExitCodes.OK;
  }
}
