package io.shulian.gateway.cli;

import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.TrustException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "sign-csr",
    mixinStandardHelpOptions = true,
    description = {
      "Issue certificates for a department's certificate requests.",
      "The requests come from 'shulian csr', one per key. The signing-key request must be signed "
          + "by its own key, the others by that signing key. Writes the issued certificates, and only "
          + "those, to --out (the root stays in root.pem); the department installs them with 'shulian csr "
          + "--install --root root.pem'. Exit code 3 when rejected."
    })
final class CaSignCsrCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin CaOptions caOptions;

  @Option(names = "--csr", required = true, description = "csr.pem from 'shulian csr'")
  Path csr;

  @Option(names = "--out", required = true, description = "output cert.pem")
  Path out;

  @Mixin ValidityOptions validityOptions;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Duration validity = validityOptions.validity(spec);
    String pem = TrustFiles.readPemText(csr);
    CityAuthority ca = caOptions.open(err);
    List<PartyCertificate> issued;
    try {
      issued = ca.signRequests(pem, validity);
    } catch (TrustException e) {
      throw new Cli.RejectedException(csr + ": " + e.getMessage());
    }
    String text = PartyCertificate.toPem(issued);
    PartyIdentity.writeAtomically(out, text.getBytes(StandardCharsets.US_ASCII));
    err.println("issued " + issued.size() + " certificates for " + issued.get(0).party() + " into " + out);
    for (PartyCertificate c : issued) {
      err.printf("  %-8s serial %s  key id %s  %s%n", c.uses(), c.certificate().getSerialNumber().toString(16),
          c.keyId(), c.algorithm());
    }
    err.println("the department installs them with: shulian csr --key key.p12 --install " + out
        + " --root " + caOptions.caDir.resolve(CityAuthority.ROOT_PEM));
    err.flush();
    return ExitCodes.OK;
  }
}
