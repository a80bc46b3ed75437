package io.shulian.gateway.cli;

import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.RevocationReason;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "revoke",
    mixinStandardHelpOptions = true,
    description = {
      "Revoke a certificate (gateways learn it from the next CRL).",
      "Run 'shulian ca crl' (and 'shulian bundle sign') afterwards."
    })
final class CaRevokeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin CaOptions caOptions;

  @Option(names = "--serial", required = true, description = "serial number in hex, as 'ca issue' printed it")
  String serial;

  @Option(names = "--reason", description = "unspecified, key-compromise, ca-compromise, affiliation-changed, superseded, cessation-of-operation (default ${DEFAULT-VALUE})")
  String reason = "unspecified";

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    BigInteger s;
    try {
      s = new BigInteger(serial.replaceFirst("^0[xX]", "").replace(":", ""), 16);
    } catch (NumberFormatException e) {
      throw Cli.usage(spec, "--serial must be a hexadecimal number, got '" + serial + "'");
    }
    RevocationReason r;
    try {
      r = RevocationReason.parse(reason);
    } catch (IllegalArgumentException e) {
      throw Cli.usage(spec, "--reason: " + e.getMessage());
    }
    CityAuthority ca = caOptions.open(err);
    boolean changed;
    try {
      changed = ca.revoke(s, r);
    } catch (IllegalArgumentException e) {
      throw Cli.usage(spec, Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()));
    }
    err.println(changed
        ? "revoked serial " + s.toString(16) + " (" + r + "); publish it with 'shulian ca crl'"
        : "serial " + s.toString(16) + " was already revoked; nothing changed");
    err.flush();
    return ExitCodes.OK;
  }
}
