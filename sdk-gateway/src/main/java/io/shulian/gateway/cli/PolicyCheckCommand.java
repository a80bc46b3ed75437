package io.shulian.gateway.cli;

import io.shulian.core.catalog.InvalidDocumentException;
import io.shulian.core.party.PartyId;
import io.shulian.core.policy.Action;
import io.shulian.core.policy.Decision;
import io.shulian.core.policy.GrantRevocations;
import io.shulian.core.policy.GrantVerifier;
import io.shulian.core.policy.PolicyEngine;
import io.shulian.core.policy.PolicyRequest;
import io.shulian.core.policy.PolicySet;
import io.shulian.core.policy.PolicySource;
import io.shulian.core.trust.BundleHolder;
import io.shulian.core.trust.CityBundle;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.gateway.config.BundlePolicies;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Decide one request against a policy set and print the decision as JSON.",
      "--bundle is a directory with catalog.yaml and policies.yaml, or a signed city bundle "
          + "(bundle.jws) whose catalog and policies extensions are used once its signature is verified "
          + "against --root, as the gateway does; with a bundle, a --grant is verified against the "
          + "bundle's certificates and revoked grants unless --trust is given. Exit 0 for PERMIT, 4 for "
          + "DENY, 3 if the policy set is invalid or the bundle is not trusted."
    })
final class PolicyCheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--bundle", required = true, description = "directory holding catalog.yaml and policies.yaml, or a signed bundle.jws")
  Path bundle;

  @Option(names = "--root", description = "the city root certificate (root.pem) that --bundle bundle.jws must be signed by")
  Path root;

  @Option(names = "--grace", description = "how long a bundle or its CRL past its update time is still used (default ${DEFAULT-VALUE})")
  String grace = "1h";

  @Option(names = "--subject", required = true, description = "the requesting party id")
  String subject;

  @Option(names = "--resource", required = true, description = "catalog resource code")
  String resource;

  @Option(names = "--purpose", required = true, description = "purpose code")
  String purpose;

  @Option(names = "--action", description = "query, subscribe, export, return-flow or write (default ${DEFAULT-VALUE})")
  String action = "query";

  @Option(names = "--fields", split = ",", description = "requested fields (default: all the decision releases)")
  List<String> fields;

  @Option(names = "--grant", description = "grant token file")
  Path grant;

  @Option(names = "--trust", description = "provider certificate(s) to verify --grant with (cert.pem or a directory)")
  Path trust;

  @Option(names = "--out", description = "also write the decision JSON to this file")
  String out;

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = spec.commandLine().getOut();
    PartyId who = Cli.partyId(spec, subject, "--subject");
    Action a = Action.fromWireName(action);
    if (a == null) {
      throw Cli.usage(spec, "--action must be query, subscribe, export, return-flow or write, got '" + action + "'");
    }
    PolicySet set;
    BundleHolder holder = null;
    if (Files.isDirectory(bundle)) {
      if (root != null) {
        throw Cli.usage(spec, "--root is for a signed bundle; --bundle " + bundle + " is a directory");
      }
      try {
        set = PolicySource.directory(bundle).load();
      } catch (InvalidDocumentException e) {
        return CatalogValidateCommand.report(spec.commandLine().getErr(), e);
      }
    } else {
      if (root == null) {
        throw Cli.usage(spec, "--bundle " + bundle + " is a signed bundle: add --root root.pem to verify it "
            + "(or give a directory with catalog.yaml and policies.yaml)");
      }
      TrustFiles.Material m = TrustFiles.read(root, new TrustFiles.Material());
      if (m.cas.isEmpty()) {
        throw Cli.usage(spec, "--root " + root + " holds no CA certificate");
      }
      Duration g = Cli.duration(spec, grace, "--grace");
      holder = BundleHolder.of(m.cas, Clock.systemUTC(), g, g);
      CityBundle verified = holder.update(CliSupport.readInput(bundle.toString(), CityBundle.MAX_BUNDLE_BYTES));
      try {
        set = BundlePolicies.load(verified);
      } catch (InvalidDocumentException e) {
        return CatalogValidateCommand.report(spec.commandLine().getErr(), e);
      } catch (java.io.IOException e) {
        throw new Cli.RejectedException(bundle + ": " + e.getMessage());
      }
    }
    if (grant != null && trust == null && holder == null) {
      throw Cli.usage(spec, "--grant needs --trust with the provider's certificate (or a signed --bundle)");
    }
    PolicyEngine.Builder b = PolicyEngine.builder(set).decisionCacheSize(0).withoutMaskHashKey();
    if (trust != null) {
      b.grantVerifier(GrantVerifier.of(PinnedSenderTrust.of(CliSupport.readCertificates(trust))));
    } else if (holder != null) {
      b.grantVerifier(GrantVerifier.of(holder));
    }
    if (holder != null) {
      b.revocations(GrantRevocations.fromBundle(holder)); // grants the bureau revoked in this bundle, as the gateway does
    }
    PolicyEngine engine = b.build();
    PolicyRequest req = PolicyRequest.builder()
        .subject(who)
        .resource(resource)
        .action(a)
        .purpose(purpose)
        .fields(fields == null ? List.of() : fields)
        .build();
    Decision d;
    if (grant != null) {
      String token = new String(CliSupport.readInput(grant.toString(), 64 * 1024), StandardCharsets.US_ASCII).trim();
      d = engine.decide(req, token);
    } else {
      d = engine.decide(req);
    }
    String json = d.toJson();
    stdout.println(json);
    stdout.flush();
    if (out != null) {
      CliSupport.writeOutput(out, (json + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return d.isPermit() ? ExitCodes.OK : ExitCodes.DENIED;
  }
}
