package io.shulian.gateway.cli;

import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.CityAuthority;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "issue",
    mixinStandardHelpOptions = true,
    description = {
      "Generate a department's keys and issue their certificates.",
      "Separate signing and encryption keys of the CA's suite, plus an ECDSA P-256 TLS key unless "
          + "--usage leaves out tls. Writes <out>/key.p12 (entries sign, encrypt, tls), <out>/cert.pem "
          + "(the certificates) and <out>/chain.pem (the root). Prefer 'shulian csr' + 'ca sign-csr': "
          + "keys never leave the department."
    })
final class CaIssueCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin CaOptions caOptions;

  @Option(names = "--party", required = true, description = "PartyId, e.g. 440600/11440600MB2C1234HN/housing")
  String party;

  @Option(names = "--usage", description = "key uses: sign,encrypt[,tls] (default ${DEFAULT-VALUE})")
  String usage = "sign,encrypt,tls";

  @Mixin ValidityOptions validityOptions;

  @Option(names = "--out", required = true, description = "output directory for key.p12, cert.pem, chain.pem")
  Path out;

  @Option(names = "--password", description = "password of the new key.p12 (else $SHULIAN_KEY_PASSWORD, else 'changeit')")
  String password;

  @Option(names = "--force", description = "overwrite an existing key.p12")
  boolean force;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PartyId id = Cli.partyId(spec, party, "--party");
    Set<String> uses = new TreeSet<>();
    for (String u : usage.split(",")) {
      String x = u.trim().toLowerCase(Locale.ROOT);
      if (!Set.of("sign", "encrypt", "tls").contains(x)) {
        throw Cli.usage(spec, "--usage takes sign, encrypt and tls, got '" + u + "'");
      }
      uses.add(x);
    }
    if (!uses.contains("sign") || !uses.contains("encrypt")) {
      throw Cli.usage(spec, "--usage must include sign and encrypt (a department always has both keys, kept apart); add tls for a gateway");
    }
    Duration validity = validityOptions.validity(spec);
    Path p12 = out.resolve("key.p12");
    if (Files.exists(p12) && !force) {
      throw Cli.usage(spec, p12 + " exists; use --force to replace it");
    }
    CityAuthority ca = caOptions.open(err);
    char[] pw = CliSupport.password(password, err);
    PartyIdentity identity = ca.issue(id, uses.contains("tls"), validity);
    Files.createDirectories(out);
    identity.store(p12, pw);
    PartyIdentity.writeAtomically(out.resolve("cert.pem"),
        PartyCertificate.toPem(identity.certificates()).getBytes(StandardCharsets.US_ASCII));
    PartyIdentity.writeAtomically(out.resolve("chain.pem"), ca.rootPem().getBytes(StandardCharsets.US_ASCII));
    err.println("issued " + ca.suite() + " certificates for " + id + " into " + out);
    for (PartyCertificate c : identity.certificates()) {
      err.printf("  %-8s serial %s  key id %s  %s%n", c.uses(), c.certificate().getSerialNumber().toString(16),
          c.keyId(), c.algorithm());
    }
    err.flush();
    return ExitCodes.OK;
  }
}
