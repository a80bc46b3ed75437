package io.shulian.gateway.cli;

import io.shulian.core.catalog.InvalidDocumentException;
import io.shulian.core.policy.PolicySet;
import io.shulian.core.trust.CityBundle;
import io.shulian.core.trust.CityTrust;
import io.shulian.core.trust.CrlStatus;
import io.shulian.core.trust.TrustException;
import io.shulian.gateway.config.BundlePolicies;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Verify a city bundle against the trusted root.",
      "Checks signature, size and structure limits, validity (plus --grace) and the CRL's "
          + "signature, and that a catalog and policies it carries load as the gateway loads them. Exit "
          + "code 0 valid, 3 rejected."
    })
final class BundleVerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--trust", required = true, description = "root.pem of the city CA")
  Path trust;

  @Option(names = "--in", required = true, description = "bundle.jws")
  String in;

  @Option(names = "--grace", description = "accept a bundle this long past its valid-until (default ${DEFAULT-VALUE})")
  String grace = "0s";

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Duration g = Cli.duration(spec, grace, "--grace");
    TrustFiles.Material m = TrustFiles.read(trust, new TrustFiles.Material());
    if (m.cas.isEmpty()) {
      throw Cli.usage(spec, trust + " holds no CA certificate");
    }
    byte[] jws = CliSupport.readInput(in, CityBundle.MAX_BUNDLE_BYTES);
    Instant now = Instant.now();
    CityBundle b = CityBundle.verify(jws, m.cas, now, g);
    CityTrust t;
    try {
      t = b.trust(m.cas, CityTrust.DEFAULT_CRL_GRACE);
    } catch (TrustException e) {
      throw new Cli.RejectedException("bundle v" + b.version() + " carries an unusable CRL: " + e.getMessage());
    }
    String policies = null;
    if (b.extension(BundlePolicies.CATALOG).isPresent() || b.extension(BundlePolicies.POLICIES).isPresent()) {
      // what a gateway with provider.policy.fromBundle loads: a bundle it could not load is not valid
      try {
        PolicySet set = BundlePolicies.load(b);
        policies = "valid, " + set.explicitRules().size() + " rules + " + set.derivedRules().size()
            + " derived; policy-set version " + set.versionHash();
      } catch (InvalidDocumentException e) {
        throw Cli.invalid("bundle v" + b.version() + " carries a catalog or policies the gateway cannot load", e);
      } catch (java.io.IOException e) {
        throw new Cli.RejectedException("bundle v" + b.version() + ": " + e.getMessage());
      }
    }
    err.println("bundle v" + b.version() + " is valid: signed by the trusted root, issued " + b.issuedAt()
        + ", valid until " + b.validUntil());
    err.println("  parties: " + b.parties().size());
    for (CityBundle.Member p : b.parties()) {
      err.println("    " + p.party() + "  " + p.name() + "  " + p.level() + "  "
          + p.endpoint().map(Object::toString).orElse("(no endpoint)") + "  " + p.certificates().size() + " certificates");
    }
    for (CrlStatus s : t.crlStatus(now)) {
      err.println("  CRL: " + s.state() + ", #" + s.number() + ", next update " + s.nextUpdate());
    }
    if (!b.extensionNames().isEmpty()) {
      err.println("  extensions: " + b.extensionNames());
    }
    if (policies != null) {
      err.println("  catalog and policies: " + policies);
    }
    if (!b.revokedGrants().isEmpty()) {
      err.println("  revoked grants: " + b.revokedGrants().size());
    }
    err.flush();
    return ExitCodes.OK;
  }
}
