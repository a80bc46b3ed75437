package io.shulian.examples.demo;

import io.shulian.core.audit.AuditStatistics;
import io.shulian.core.audit.AuditVerifier;
import io.shulian.core.audit.CheckpointTrust;
import io.shulian.core.audit.VerificationReport;
import io.shulian.examples.demo.City.RunningGateway;
import io.shulian.examples.demo.Scenarios.Outcome;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The city demo: builds a small city of Shulian parties in a work directory, runs the city hub and
 * real gateways that follow it on loopback, plays the sharing scenarios through them, verifies every audit log and prints the
 * sharing statistics. Exit code 0 only if every scenario passed and every log verified.
 */
@Command(
    name = "shulian-demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the Shulian city demo: root CAs (INTL and GM), five departments on city, district, street and",
      "provincial level, a signed city bundle with catalog and policies, a city hub (embedded H2) that the",
      "gateways follow, real gateways on loopback, the sharing scenarios (a sharing application and an",
      "incident action through the hub among them), audit verification and the sharing-statistics table.",
      "The keystore password is $SHULIAN_KEY_PASSWORD if set, else a demo password (printed)."
    })
public final class CityDemo implements Callable<Integer> {
  static final String DEMO_PASSWORD = "shulian-demo-only";
  private static final String MARKER = ".shulian-demo";

  @Option(names = "--dir", defaultValue = "shulian-demo", description = "work directory (default: ${DEFAULT-VALUE})")
  Path dir = Path.of("shulian-demo");

  /** Default size of the return-flow data set: 200 MB (10^6 bytes) of JSON Lines. */
  public static final long DEFAULT_DATASET_MB = 200;

  @Option(names = "--dataset-mb", defaultValue = "200", paramLabel = "MB",
      description = "size of the data set the return-flow scenario streams from the province to the district office,"
          + " in MB (10^6 bytes, generated on the fly; default: ${DEFAULT-VALUE})")
  long datasetMb = DEFAULT_DATASET_MB;

  @Option(names = "--keep-running", description = "keep the gateways up after the scenarios, with curl commands, until Ctrl-C")
  boolean keepRunning;

  /** What a run showed: the scenarios, and each gateway's audit verification. */
  /**
   * @param alerts the rules of the alerts the hub raised on the events the gateways shipped, in the
   *     order raised
   */
  public record Result(List<Outcome> scenarios, List<String> auditProblems, List<String> alerts) {
    public boolean passed() {
      return auditProblems.isEmpty() && scenarios.stream().allMatch(Outcome::passed);
    }

    public List<String> failedScenarios() {
      return scenarios.stream().filter(o -> !o.passed()).map(Outcome::line).toList();
    }
  }

  /**
   * Waits (at most 30 s) until every shipping gateway's collector has stored its whole audit log,
   * then prints the alerts the hub raised, oldest first.
   */
  static List<io.shulian.gateway.evaluate.RaisedAlert> liveAlerts(City city, PrintStream out) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    for (RunningGateway g : city.gateways.values()) {
      io.micrometer.core.instrument.Counter shipped = g.gateway().registry().find("shulian.ship.records").counter();
      while (shipped != null && shipped.count() < g.audit().size() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      if (shipped != null && shipped.count() < g.audit().size()) {
        out.println("  (" + g.name() + ": " + (long) shipped.count() + " of " + g.audit().size() + " records shipped so far)");
      }
    }
    java.net.http.HttpResponse<String> r = city.hub().operator(io.shulian.hub.access.Operators.Role.REVIEWER, "GET",
        "/v1/admin/alerts", null);
    if (r.statusCode() != 200) {
      throw new IllegalStateException("the hub did not list its alerts: " + Scenarios.summary(r));
    }
    List<io.shulian.gateway.evaluate.RaisedAlert> raised = new ArrayList<>();
    com.fasterxml.jackson.databind.JsonNode list = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body())
        .path("alerts");
    for (int i = list.size() - 1; i >= 0; i--) {
      com.fasterxml.jackson.databind.JsonNode a = list.get(i);
      out.println("  [" + a.path("severity").asText() + "] " + a.path("rule").asText() + ": " + a.path("summary").asText()
          + " (" + a.path("events").size() + " events behind it)");
      raised.add(new io.shulian.gateway.evaluate.RaisedAlert(a.path("rule").asText(), a.path("subject").asText(),
          java.time.Instant.parse(a.path("raisedAt").asText())));
    }
    if (raised.isEmpty()) {
      out.println("  none");
    }
    return raised;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new CityDemo()).execute(args));
  }

  @Override
  public Integer call() {
    try {
      if (datasetMb < 1) {
        throw new CommandLine.ParameterException(new CommandLine(this), "--dataset-mb must be at least 1");
      }
      return run(dir, keepRunning, datasetMb * 1_000_000L, System.out).passed() ? 0 : 1;
    } catch (CommandLine.ParameterException e) {
      throw e;
    } catch (Exception e) {
      System.err.println("the demo could not run: " + e + (e.getCause() == null ? "" : " (" + e.getCause() + ")"));
      return 1;
    }
  }

  /** Runs the whole demo in {@code dir} with the default data set (200 MB); see {@link #run(Path, boolean, long, PrintStream)}. */
  public static Result run(Path dir, boolean keepRunning, PrintStream out) throws Exception {
    return run(dir, keepRunning, DEFAULT_DATASET_MB * 1_000_000L, out);
  }

  /**
   * Runs the whole demo in {@code dir}, the return-flow data set being at least {@code datasetBytes}
   * bytes; with {@code keepRunning}, waits for Ctrl-C before closing.
   */
  public static Result run(Path dir, boolean keepRunning, long datasetBytes, PrintStream out) throws Exception {
    long t0 = System.nanoTime();
    prepare(dir);
    String env = System.getenv("SHULIAN_KEY_PASSWORD");
    char[] password = (env == null || env.isEmpty() ? DEMO_PASSWORD : env).toCharArray();
    out.println("Shulian city demo in " + dir.toAbsolutePath());
    boolean demoPassword = env == null || env.isEmpty();
    out.println(demoPassword
        ? "password of every key store and CA: '" + DEMO_PASSWORD + "' (a demo password; set SHULIAN_KEY_PASSWORD to choose one)"
        : "password of every key store and CA: $SHULIAN_KEY_PASSWORD");

    List<Outcome> outcomes;
    List<RunningGateway> gateways;
    Path hubAudit;
    io.shulian.core.keys.PartyCertificate hubSigner;
    CountDownLatch finished = new CountDownLatch(0);
    List<io.shulian.gateway.evaluate.RaisedAlert> alerts;
    try (City city = City.build(dir, password, datasetBytes)) {
      out.println("city built: 2 root CAs, " + (city.intl.size() + city.gm.size()) + " department identities, "
          + city.gateways.size() + " gateways on loopback");
      out.println("city hub (" + CityHub.BUREAU.name() + ") at " + city.hub().bundleUrl()
          + ": embedded H2, bundle v1 published; the INTL gateways follow it, the GM pair reads bundle-gm.jws");
      hubAudit = city.hub().auditDirectory();
      hubSigner = city.hub().identity().signingCertificate();
      out.println();
      out.println("Scenarios");
      outcomes = new Scenarios(city).all(o -> out.println("  " + o.line()));
      out.println();
      out.println("Live alerts (the INTL gateways ship their audit logs to the hub's collector; its rules raised)");
      alerts = liveAlerts(city, out);
      if (keepRunning) {
        printCurls(city, out);
        finished = awaitCtrlC(out);
      }
      gateways = List.copyOf(city.gateways.values());
    } // closing drains every gateway and writes each audit log's final checkpoint

    out.println();
    out.println("Audit logs (verified against each department's and the hub's signing certificate)");
    List<String> problems = new ArrayList<>();
    List<Path> logs = new ArrayList<>();
    for (RunningGateway g : gateways) {
      Path log = g.audit().directory();
      logs.add(log);
      verify(g.name(), log, g.identity().signingCertificate(), out, problems);
    }
    // the hub's own log: every publish, action, application and answer (not exchanges: not in the statistics)
    verify("city hub", hubAudit, hubSigner, out, problems);
    out.println();
    out.println("Sharing statistics (all audit logs, one row per provider, consumer and resource)");
    out.print(AuditStatistics.compute(logs, null, null).toTable().indent(2));
    out.println();
    java.time.ZoneId zone = java.time.ZoneId.of("Asia/Shanghai");
    java.time.YearMonth month = java.time.YearMonth.now(zone);
    out.println("Scorecard " + month + " (shulian evaluate; the alerts column from the hub)");
    io.shulian.gateway.evaluate.SharingEvaluation ev = io.shulian.gateway.evaluate.SharingEvaluation.compute(
        io.shulian.core.catalog.Catalog.load(dir.resolve("catalog.yaml")), java.util.Map.of(), logs, null, alerts, month,
        zone);
    for (io.shulian.gateway.evaluate.Scorecard s : ev.rows()) {
      out.printf("  %-28s requests %3d, served %3d, refused %3d, availability %s, alerts %d%n", s.department(),
          s.requests(), s.served(), s.refused(), s.availability() == null ? "-" : String.format(java.util.Locale.ROOT,
              "%.3f", s.availability()), s.alerts());
    }

    Result result = new Result(outcomes, problems, alerts.stream().map(io.shulian.gateway.evaluate.RaisedAlert::rule)
        .toList());
    out.println();
    printLayout(dir, out);
    printCommands(dir, demoPassword, out);
    out.println();
    out.printf("%s: %d of %d scenarios passed, %d audit logs verified, %.1f s%n",
        result.passed() ? "PASSED" : "FAILED", outcomes.stream().filter(Outcome::passed).count(), outcomes.size(),
        gateways.size() + 1 - problems.size(), (System.nanoTime() - t0) / 1e9);
    out.flush();
    finished.countDown();
    return result;
  }

  private static void verify(String name, Path log, io.shulian.core.keys.PartyCertificate signer, PrintStream out,
      List<String> problems) throws io.shulian.core.audit.AuditException {
    VerificationReport r = AuditVerifier.verify(log, CheckpointTrust.pinned(List.of(signer)));
    String line = String.format("%-20s %4d records, %d checkpoint(s): %s", name, r.records(), r.checkpoints(),
        r.intact() ? "intact" : "PROBLEM " + r.problem().map(Object::toString).orElse(""));
    out.println("  " + (r.intact() ? "✓ " : "✗ ") + line);
    if (!r.intact()) {
      problems.add(line);
    }
  }

  /** Creates the work directory, or empties one that an earlier demo run left (and nothing else). */
  static void prepare(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      boolean empty;
      try (Stream<Path> s = Files.list(dir)) {
        empty = s.findAny().isEmpty();
      }
      if (!empty && !Files.exists(dir.resolve(MARKER))) {
        throw new CommandLine.ParameterException(new CommandLine(new CityDemo()),
            dir + " is not empty and was not made by the demo; choose another --dir");
      }
      deleteContents(dir);
    }
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(MARKER), "made by the Shulian city demo; the demo deletes this directory's contents on its next run\n");
  }

  private static void deleteContents(Path dir) throws IOException {
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
        Files.delete(f);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (!d.equals(dir)) {
          Files.delete(d);
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }

  static void printLayout(Path dir, PrintStream out) throws IOException {
    out.println("Work directory " + dir);
    String[][] lines = {
      {"ca/intl/root.pem, ca/gm/root.pem", "the city root certificates (ca.p12 + ca-state.json: the CAs)"},
      {"bundle.jws, bundle-gm.jws", "the signed city bundles (members, endpoints, certificates, CRL, catalog, policies)"},
      {"bundle.yaml, bundle-gm.yaml", "their sources (shulian bundle sign --in ...)"},
      {"catalog.yaml, policies.yaml", "the sharing catalog and the explicit policy rules"},
      {"parties/<role>/", "key.p12, cert.pem, gateway.yaml, audit/ per department gateway"},
      {"parties/<role>/gm/", "the same for the GM identities (housing-bureau, district-office)"},
      {"parties/civil-affairs/grants/", "the housing bureau's grant for the provident-fund balance"},
      {"parties/<role>/audit-state/", "hub-bundle.jws: the last bundle an INTL gateway accepted from the hub"},
      {"hub/", "the city hub: hub.yaml, key.p12, cert.pem, hub-data/ (H2 database, audit log)"},
    };
    for (String[] l : lines) {
      out.printf("  %-34s %s%n", l[0], l[1]);
    }
    try (Stream<Path> s = Files.list(dir.resolve("parties"))) {
      out.println("  parties: " + String.join(", ", s.map(p -> p.getFileName().toString()).sorted().toList()));
    }
  }

  static void printCommands(Path dir, boolean demoPassword, PrintStream out) {
    String d = dir.toString();
    String cli = "java -jar sdk-gateway/target/shulian.jar";
    out.println();
    out.println("Try (from the repository root):");
    out.println(demoPassword
        ? "  export SHULIAN_KEY_PASSWORD=" + DEMO_PASSWORD + " SHULIAN_CA_PASSWORD=" + DEMO_PASSWORD
        : "  export SHULIAN_CA_PASSWORD=\"$SHULIAN_KEY_PASSWORD\"");
    out.println("  " + cli + " audit verify --log " + d + "/parties/housing-bureau/audit --trust " + d + "/parties/housing-bureau/cert.pem");
    out.println("  " + cli + " audit stats --log " + d + "/parties/housing-bureau/audit " + d + "/parties/province-pension/audit");
    out.println("  " + cli + " bundle verify --trust " + d + "/ca/intl/root.pem --in " + d + "/bundle.jws");
    out.println("  " + cli + " catalog validate " + d + "/catalog.yaml --policies " + d + "/policies.yaml");
    out.println("  " + cli + " policy check --bundle " + d + " --subject " + CityParty.CIVIL_AFFAIRS.id()
        + " --resource " + CityDocuments.PROVIDENT_FUND + " --purpose social-assistance-review --grant " + d
        + "/parties/civil-affairs/grants/provident-fund.jwt --trust " + d + "/parties/housing-bureau/cert.pem");
    out.println("  " + cli + " gateway --check --config " + d + "/parties/housing-bureau/gateway.yaml");
    out.println("  " + cli + " bundle sign --ca " + d + "/ca/intl --in " + d + "/bundle.yaml --out " + d + "/bundle-again.jws");
    out.println("  java -cp sdk-examples/target/shulian-demo.jar io.shulian.examples.audit.Main " + d);
  }

  private static void printCurls(City city, PrintStream out) {
    String id = city.backends.residents.get(0).idNumber();
    out.println();
    out.println("Gateways are running. Department apps call their consumer gateway, e.g.:");
    String civil = city.gateway("civil-affairs").consumerUrl().toString();
    String district = city.gateway("district-office").consumerUrl().toString();
    String civilKey = city.apiKeys.get("civil-affairs");
    out.println("  curl -s -H 'X-Api-Key: " + civilKey + "' -H 'X-Shulian-Purpose: social-assistance-review' "
        + civil + "/exchange/" + CityDocuments.PROPERTY + "/" + id);
    out.println("  curl -s -H 'X-Api-Key: " + civilKey + "' -H 'X-Shulian-Purpose: social-assistance-review' -H \"X-Shulian-Grant: $(cat "
        + city.dir.resolve("parties/civil-affairs/grants/provident-fund.jwt") + ")\" " + civil + "/exchange/"
        + CityDocuments.PROVIDENT_FUND + "/" + id);
    out.println("  curl -s -H 'X-Api-Key: " + city.apiKeys.get("district-office") + "' -H 'X-Shulian-Purpose: grassroots-governance' -H 'X-Shulian-Action: return-flow' "
        + district + "/exchange/" + CityDocuments.PENSION + "/status?division=440604");
    out.println("  curl -s --raw -H 'X-Api-Key: " + city.apiKeys.get("district-office") + "' -H 'X-Shulian-Purpose: grassroots-governance' -H 'X-Shulian-Action: return-flow' "
        + district + "/dataset/" + CityDocuments.PENSION_EXTRACT + "/extract | tail -c 300   # the data set; the trailer comes last");
    out.println("Press Ctrl-C to stop the gateways (the audit logs are verified after they close).");
  }

  /**
   * Waits for Ctrl-C. Returns a latch the caller releases once it has closed the gateways and
   * verified the logs; the shutdown hook holds the JVM until then.
   */
  private static CountDownLatch awaitCtrlC(PrintStream out) throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop.countDown();
      try {
        finished.await(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "demo-stop"));
    stop.await();
    out.println("stopping...");
    return finished;
  }
}
