package io.shulian.gateway.cli;

import io.shulian.core.keys.KeyMaterialException;
import io.shulian.core.trust.CityAuthority;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import picocli.CommandLine.Option;

/** The options of the commands that use the city CA: {@code --ca} and {@code --ca-password}. */
final class CaOptions {
  @Option(names = "--ca", required = true, description = "CA directory")
  Path caDir;

  @Option(names = "--ca-password", description = "CA key password (else $SHULIAN_CA_PASSWORD, else 'changeit')")
  String caPassword;

  /** Opens the CA with the password from --ca-password, $SHULIAN_CA_PASSWORD or the development default. */
  CityAuthority open(PrintWriter err) throws KeyMaterialException {
    return CityAuthority.open(caDir, TrustFiles.caPassword(caPassword, err), Clock.systemUTC());
  }
}
