package io.shulian.hub.cli;

import io.shulian.core.audit.AuditException;
import io.shulian.core.catalog.Catalog;
import io.shulian.core.catalog.InvalidDocumentException;
import io.shulian.core.io.BoundedRead;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.CityBundle;
import io.shulian.core.trust.CityTrust;
import io.shulian.core.trust.TrustException;
import io.shulian.gateway.cli.ExitCodes;
import io.shulian.gateway.cli.ShulianCli;
import io.shulian.gateway.config.BundlePolicies;
import io.shulian.gateway.config.ConfigException;
import io.shulian.gateway.evaluate.CaseTiming;
import io.shulian.gateway.evaluate.RaisedAlert;
import io.shulian.gateway.evaluate.SharingEvaluation;
import io.shulian.hub.Hub;
import io.shulian.hub.HubConfig;
import io.shulian.hub.store.HubStore;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code shulian evaluate}: the monthly sharing scorecard per department (绩效评价). */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Evaluate data sharing per department for one month (数据共享绩效评价).",
      "Per provider department: resources registered in the catalog and how many are fresh (served "
          + "successfully within their updateCycle before the month's end), requests served, refused by "
          + "reason and failed (5xx), availability and p95 latency from the gateways' audit logs (read and "
          + "chain-checked as 'audit stats' reads them), and, with --hub-config, the time to answer sharing "
          + "applications and data objections from the hub's database (opened read-only) "
          + "and the alerts it raised per department (the party the alert's subject names). Definitions: docs/assessment-and-evaluation.md.",
      "Exit code 0 written, 3 a log, bundle or catalog rejected, 2 usage, 1 other failure (e.g. the hub "
          + "database cannot be opened)."
    })
public final class EvaluateCommand implements Callable<Integer>, ShulianCli.Extension {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--month", required = true, description = "the month, e.g. 2026-12")
  String month;

  @Option(names = "--zone", description = "time zone of the month's boundaries (default ${DEFAULT-VALUE})")
  String zone = "Asia/Shanghai";

  @Option(names = "--bundle", description = "signed city bundle (bundle.jws) whose catalog and member names are used; needs --root")
  @Nullable Path bundle;

  @Option(names = "--root", description = "root.pem of the city CA the bundle must verify against")
  @Nullable Path root;

  @Option(names = "--catalog", description = "catalog.yaml (instead of --bundle)")
  @Nullable Path catalog;

  @Option(names = "--audit", description = "an audit log directory of a gateway; repeatable (give every provider's)")
  List<Path> audit = new ArrayList<>();

  @Option(names = "--hub-config", description = "hub.yaml: its database is opened read-only for the case timings "
      + "(an embedded H2 database only while the hub is stopped; PostgreSQL at any time)")
  @Nullable Path hubConfig;

  @Option(names = "--csv", description = "write the CSV here (default: standard output when --html is not given)")
  @Nullable Path csv;

  @Option(names = "--html", description = "write the HTML report here")
  @Nullable Path html;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    YearMonth m;
    ZoneId z;
    try {
      m = YearMonth.parse(month);
    } catch (DateTimeParseException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--month must be a month such as 2026-12, got '" + month + "'");
    }
    try {
      z = ZoneId.of(zone);
    } catch (DateTimeException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--zone is not a time zone: '" + zone + "'");
    }
    if ((bundle == null) == (catalog == null) || (bundle != null) != (root != null)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "give either --bundle with --root, or --catalog");
    }
    Catalog c;
    Map<String, String> names = new HashMap<>();
    try {
      if (bundle != null) {
        CityBundle b = CityBundle.verify(BoundedRead.file(bundle, CityBundle.MAX_BUNDLE_BYTES),
            CityTrust.readCertificates(BoundedRead.pemFile(Objects.requireNonNull(root), 1 << 20)), Instant.now(), Duration.ZERO);
        c = BundlePolicies.load(b).catalog();
        for (CityBundle.Member mb : b.parties()) {
          names.putIfAbsent(mb.party().organisation().toString(), mb.name());
        }
      } else {
        c = Catalog.load(Objects.requireNonNull(catalog));
      }
    } catch (InvalidDocumentException | TrustException | io.shulian.core.trust.BundleException e) {
      err.println("shulian evaluate: rejected: " + e.getMessage());
      err.flush();
      return ExitCodes.REJECTED;
    }
    List<CaseTiming> cases = null;
    List<RaisedAlert> alerts = null;
    if (hubConfig != null) {
      try {
        cases = new ArrayList<>();
        alerts = new ArrayList<>();
        readHub(hubConfig, cases, alerts);
      } catch (ConfigException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--hub-config: " + String.join("; ", e.problems()));
      } catch (SQLException e) {
        err.println("shulian evaluate: cannot read the hub database: " + e.getMessage());
        err.flush();
        return ExitCodes.FAILURE;
      }
    }
    SharingEvaluation ev;
    try {
      ev = SharingEvaluation.compute(c, names, audit, cases, alerts, m, z);
    } catch (AuditException e) {
      err.println("shulian evaluate: audit log rejected (" + e.reason() + "): " + e.getMessage());
      err.flush();
      return ExitCodes.REJECTED;
    }
    if (csv != null) {
      PartyIdentity.writeAtomically(csv, ev.toCsv().getBytes(StandardCharsets.UTF_8));
    }
    if (html != null) {
      PartyIdentity.writeAtomically(html, ev.toHtml().getBytes(StandardCharsets.UTF_8));
    }
    if (csv == null && html == null) {
      PrintWriter out = spec.commandLine().getOut();
      out.print(ev.toCsv());
      out.flush();
    }
    return ExitCodes.OK;
  }

  /** Reads the answered cases and the alerts from the hub's database, read-only and without migrating it. */
  static void readHub(Path config, List<CaseTiming> out, List<RaisedAlert> alerts) throws ConfigException, SQLException {
    HubConfig hc = Hub.read(config);
    Path base = Objects.requireNonNull(config.toAbsolutePath().getParent());
    String url;
    Properties p = new Properties();
    if (hc.database == null) {
      if (hc.dataDir == null) {
        throw new ConfigException(List.of("dataDir: required"));
      }
      // IFEXISTS: never create an empty database; ACCESS_MODE_DATA=r: never write to it
      url = HubStore.h2Url(base.resolve(hc.dataDir)) + ";IFEXISTS=TRUE;ACCESS_MODE_DATA=r";
    } else {
      url = hc.database.url;
      if (url == null || !url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:h2:")) {
        throw new ConfigException(List.of("database.url: a jdbc:postgresql: (or jdbc:h2:) URL"));
      }
      if (hc.database.user != null) {
        p.setProperty("user", hc.database.user);
      }
      if (hc.database.passwordEnv != null) {
        String pw = System.getenv(hc.database.passwordEnv);
        if (pw == null) {
          throw new ConfigException(List.of("database.passwordEnv: environment variable " + hc.database.passwordEnv + " is not set"));
        }
        p.setProperty("password", pw);
      }
    }
    try (Connection conn = DriverManager.getConnection(url, p)) {
      conn.setReadOnly(true);
      io.shulian.hub.console.Scorecards.readCasesAndAlerts(conn, out, alerts);
      conn.rollback();
    }
  }
}
