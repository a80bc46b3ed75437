package io.shulian.gateway.cli;

import io.shulian.core.catalog.Catalog;
import io.shulian.core.catalog.InvalidDocumentException;
import io.shulian.core.policy.Grant;
import io.shulian.core.policy.PolicySet;
import io.shulian.core.trust.CityBundle;
import io.shulian.core.trust.CityTrust;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.core.trust.TrustException;
import io.shulian.gateway.assess.Assessment;
import io.shulian.gateway.assess.SecurityAssessor;
import io.shulian.gateway.assess.Severity;
import io.shulian.gateway.config.BundlePolicies;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "assess",
    mixinStandardHelpOptions = true,
    description = {
      "Assess the city's sharing configuration for risk (安全评估).",
      "Reads a signed bundle (verified as 'bundle verify' does) or an unsigned catalog and policy set, and "
          + "optionally grant files, and reports each risky setting with a severity (critical, high, medium, "
          + "low, info), the object it concerns and a fix: core data shared unconditionally, personal "
          + "information released unmasked, grants without practical expiry or use limit, rules broader than "
          + "the catalog, certificates expiring or revoked, not-shared resources with endpoints, conditional "
          + "resources without rules, and more (docs/assessment-and-evaluation.md lists every check).",
      "Exit code: 0 no finding at or above --fail-on; 5 the worst finding is medium, 6 high, 7 critical; "
          + "3 the bundle or documents are invalid; 2 usage; 1 other failure."
    })
final class AssessCommand implements Callable<Integer> {
  /** Most grant files read from a --grants directory. */
  static final int MAX_GRANT_FILES = 100_000;

  @Spec CommandSpec spec;

  @Option(names = "--bundle", description = "signed city bundle (bundle.jws); needs --root")
  @Nullable Path bundle;

  @Option(names = "--root", description = "root.pem of the city CA the bundle must verify against")
  @Nullable Path root;

  @Option(names = "--catalog", description = "unsigned catalog.yaml (instead of --bundle)")
  @Nullable Path catalog;

  @Option(names = "--policies", description = "unsigned policies.yaml (with --catalog; optional)")
  @Nullable Path policies;

  @Option(names = "--grants", description = "a grant file (JWS) or a directory of them (every regular, non-hidden file); repeatable")
  List<Path> grants = new ArrayList<>();

  @Option(names = "--grant-trust", description = "issuers' cert.pem or a directory of *.pem to verify grants with (default: the bundle's members)")
  @Nullable Path grantTrust;

  @Option(names = "--cert-warning-days", description = "report certificates expiring within this many days (default ${DEFAULT-VALUE})")
  int certWarningDays = 30;

  @Option(names = "--grant-max-validity", description = "report grants valid longer than this (default ${DEFAULT-VALUE})")
  String grantMaxValidity = "366d";

  @Option(names = "--grant-max-uses", description = "report grants allowing more uses than this (default ${DEFAULT-VALUE})")
  long grantMaxUses = SecurityAssessor.DEFAULT_GRANT_MAX_USES;

  @Option(names = "--format", description = "table, json or html (default ${DEFAULT-VALUE})")
  String format = "table";

  @Option(names = "--out", description = "output file, or - for standard output (default)")
  String out = "-";

  @Option(names = "--fail-on", description = "lowest severity that makes the exit code non-zero: medium, high, critical or never (default ${DEFAULT-VALUE})")
  String failOn = "medium";

  @Override
  public Integer call() throws Exception {
    String f = format.toLowerCase(Locale.ROOT);
    if (!List.of("table", "json", "html").contains(f)) {
      throw Cli.usage(spec, "--format must be table, json or html, got '" + format + "'");
    }
    Severity threshold = failOn.equals("never") ? null : Severity.fromWireName(failOn);
    if (!failOn.equals("never") && (threshold == null || threshold.compareTo(Severity.MEDIUM) < 0)) {
      throw Cli.usage(spec, "--fail-on must be medium, high, critical or never, got '" + failOn + "'");
    }
    if (certWarningDays < 0 || certWarningDays > 3650) {
      throw Cli.usage(spec, "--cert-warning-days must be 0 to 3650, got " + certWarningDays);
    }
    if (grantMaxUses < 1) {
      throw Cli.usage(spec, "--grant-max-uses must be at least 1, got " + grantMaxUses);
    }
    Duration maxValidity = Cli.duration(spec, grantMaxValidity, "--grant-max-validity");
    if (maxValidity.isZero()) {
      throw Cli.usage(spec, "--grant-max-validity must be positive");
    }
    if ((bundle == null) == (catalog == null)) {
      throw Cli.usage(spec, "give either --bundle (with --root) or --catalog (with optional --policies)");
    }
    if (bundle != null && root == null) {
      throw Cli.usage(spec, "--bundle needs --root");
    }
    if (bundle == null && (root != null)) {
      throw Cli.usage(spec, "--root is for --bundle");
    }
    if (catalog == null && policies != null) {
      throw Cli.usage(spec, "--policies is for --catalog; a bundle carries its own");
    }
    Instant now = Instant.now();
    SecurityAssessor.Builder a = SecurityAssessor.builder().now(now)
        .certificateWarning(Duration.ofDays(certWarningDays)).grantMaxValidity(maxValidity).grantMaxUses(grantMaxUses);
    if (bundle != null) {
      loadBundle(a, bundle, java.util.Objects.requireNonNull(root), now);
    } else {
      loadFiles(a, java.util.Objects.requireNonNull(catalog), policies);
    }
    if (grantTrust != null) {
      a.grantTrust(PinnedSenderTrust.of(CliSupport.readCertificates(grantTrust)));
    }
    for (Path g : grants) {
      for (Path file : grantFiles(g)) {
        String token = new String(CliSupport.readFile(file, Grant.MAX_TOKEN_CHARS + 2L), StandardCharsets.US_ASCII).strip();
        a.grant(file.getFileName().toString(), token);
      }
    }
    Assessment result = a.build().assess();
    String text = f.equals("json") ? result.toJson() : f.equals("html") ? result.toHtml() : result.toTable();
    AuditCommand.write(spec, out, text.getBytes(StandardCharsets.UTF_8));
    return exitCode(result, threshold);
  }

  /** Returns the exit code for the worst finding, or 0 if it is below {@code threshold} (null: never fail). */
  static int exitCode(Assessment result, @Nullable Severity threshold) {
    Severity worst = result.worst().orElse(null);
    if (worst == null || threshold == null || worst.compareTo(threshold) < 0) {
      return ExitCodes.OK;
    }
    switch (worst) {
      case CRITICAL:
        return ExitCodes.FINDINGS_CRITICAL;
      case HIGH:
        return ExitCodes.FINDINGS_HIGH;
      default:
        return ExitCodes.FINDINGS_MEDIUM;
    }
  }

  private void loadBundle(SecurityAssessor.Builder a, Path file, Path rootFile, Instant now) throws Exception {
    TrustFiles.Material m = TrustFiles.read(rootFile, new TrustFiles.Material());
    if (m.cas.isEmpty()) {
      throw Cli.usage(spec, rootFile + " holds no CA certificate");
    }
    byte[] jws = CliSupport.readFile(file, CityBundle.MAX_BUNDLE_BYTES);
    CityBundle b = CityBundle.verify(jws, m.cas, now, Duration.ZERO);
    CityTrust t;
    try {
      t = b.trust(m.cas, CityTrust.DEFAULT_CRL_GRACE);
    } catch (TrustException e) {
      throw new Cli.RejectedException("bundle v" + b.version() + " carries an unusable CRL: " + e.getMessage());
    }
    PolicySet set;
    try {
      set = BundlePolicies.load(b);
    } catch (InvalidDocumentException e) {
      throw Cli.invalid("bundle v" + b.version() + " carries a catalog or policies the gateway cannot load", e);
    } catch (IOException e) {
      throw new Cli.RejectedException("bundle v" + b.version() + ": " + e.getMessage() + "; nothing to assess");
    }
    a.policySet(set, b.extension(BundlePolicies.POLICIES).orElse(null)).bundle(b, t);
  }

  private static void loadFiles(SecurityAssessor.Builder a, Path catalogFile, @Nullable Path policiesFile) throws Exception {
    Catalog c;
    try {
      c = Catalog.load(catalogFile);
    } catch (InvalidDocumentException e) {
      throw Cli.invalid(catalogFile + " is not a valid catalog", e);
    }
    if (policiesFile == null) {
      a.policySet(PolicySet.derivedOnly(c), null);
      return;
    }
    byte[] text = CliSupport.readFile(policiesFile, Catalog.MAX_DOCUMENT_BYTES);
    PolicySet set;
    try {
      set = PolicySet.parse(c, policiesFile.toString(), text);
    } catch (InvalidDocumentException e) {
      throw Cli.invalid(policiesFile + " is not a valid policy set for " + catalogFile, e);
    }
    a.policySet(set, new String(text, StandardCharsets.UTF_8));
  }

  private static List<Path> grantFiles(Path p) throws IOException, Cli.RejectedException {
    if (!Files.isDirectory(p)) {
      return List.of(p);
    }
    try (Stream<Path> s = Files.list(p)) {
      List<Path> files = s.filter(Files::isRegularFile)
          .filter(x -> !x.getFileName().toString().startsWith("."))
          .sorted().limit(MAX_GRANT_FILES + 1L).toList();
      if (files.size() > MAX_GRANT_FILES) {
        throw new Cli.RejectedException(p + " holds more than " + MAX_GRANT_FILES + " files");
      }
      return files;
    }
  }
}
