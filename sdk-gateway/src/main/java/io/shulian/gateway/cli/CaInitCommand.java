package io.shulian.gateway.cli;

import io.shulian.core.keys.KeyId;
import io.shulian.core.keys.Suite;
import io.shulian.core.trust.CityAuthority;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Create a city root CA: INTL uses ECDSA P-256, GM uses SM2 with SM3.",
      "Writes <dir>/ca.p12, <dir>/root.pem and <dir>/ca-state.json; refuses an existing CA."
    })
final class CaInitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--suite", required = true, description = "intl or gm")
  String suite;

  @Option(names = "--name", required = true, description = "the CA's common name, e.g. \"Foshan City Data Bureau Root CA\"")
  String name;

  @Option(names = "--out", required = true, description = "CA directory")
  Path out;

  @Option(names = "--days", description = "root validity in days (default ${DEFAULT-VALUE})")
  int days = 3650;

  @Option(names = "--ca-password", description = "PKCS#12 password of the CA key (else $SHULIAN_CA_PASSWORD, else 'changeit')")
  String password;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Suite s = Cli.suite(spec, suite);
    if (days < 1 || days > 30 * 365) {
      throw Cli.usage(spec, "--days must be between 1 and 10950");
    }
    if (name.isBlank() || name.length() > 64) {
      throw Cli.usage(spec, "--name must have 1 to 64 characters");
    }
    if (Files.exists(out.resolve(CityAuthority.CA_P12))) {
      throw Cli.usage(spec, out + " already holds a CA (" + CityAuthority.CA_P12 + "); choose another directory");
    }
    char[] pw = TrustFiles.caPassword(password, err);
    CityAuthority ca = CityAuthority.init(s, name, out, pw, Duration.ofDays(days), Clock.systemUTC());
    err.println("created " + s + " city root CA '" + name + "' in " + out);
    err.println("  root certificate: " + out.resolve(CityAuthority.ROOT_PEM) + " (distribute it to every gateway)");
    err.println("  root key id:      " + KeyId.ofCertificate(ca.root().getEncoded()));
    err.println("  valid until:      " + ca.root().getNotAfter().toInstant());
    err.flush();
    return ExitCodes.OK;
  }
}
