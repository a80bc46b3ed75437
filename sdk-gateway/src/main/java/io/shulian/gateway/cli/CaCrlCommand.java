package io.shulian.gateway.cli;

import io.shulian.core.trust.CityAuthority;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "crl",
    mixinStandardHelpOptions = true,
    description = {
      "Issue a CRL signed by the CA.",
      "It lists every revocation so far. Gateways refuse this CA's certificates once the CRL is "
          + "past its next update plus their grace period: publish a new one well before that (e.g. "
          + "every 12 h with --next-update 24h)."
    })
final class CaCrlCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin CaOptions caOptions;

  @Option(names = "--out", required = true, description = "output crl.pem")
  Path out;

  @Option(names = "--next-update", description = "validity of the CRL, e.g. 24h, 7d (default ${DEFAULT-VALUE})")
  String nextUpdate = "24h";

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Duration d = Cli.duration(spec, nextUpdate, "--next-update");
    if (d.compareTo(Duration.ofMinutes(1)) < 0 || d.compareTo(Duration.ofDays(31)) > 0) {
      throw Cli.usage(spec, "--next-update must be between 1m and 31d");
    }
    CityAuthority ca = caOptions.open(err);
    X509CRL crl = ca.crl(d);
    io.shulian.core.keys.PartyIdentity.writeAtomically(out, CityAuthority.toPem(crl).getBytes(StandardCharsets.US_ASCII));
    int n = crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size();
    err.println("wrote CRL to " + out + ": " + n + " revoked, next update " + crl.getNextUpdate().toInstant());
    err.flush();
    return ExitCodes.OK;
  }
}
