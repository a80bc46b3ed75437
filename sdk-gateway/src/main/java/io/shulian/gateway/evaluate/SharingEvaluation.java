package io.shulian.gateway.evaluate;

import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditException;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.catalog.Catalog;
import io.shulian.core.catalog.CatalogResource;
import io.shulian.core.catalog.SharingType;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.assess.Assessment;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Computes the monthly scorecard per department (绩效评价) from the catalog, audit logs (read and
 * chain-checked with {@link AuditLogReader}, as {@code audit stats} reads them) and the hub's case
 * timings, and renders it as CSV or one self-contained, escaped HTML page.
 *
 * <p>Counting: a request counts once, in the provider gateway's record ({@code request-in}) when
 * its log is given, else in the consumer gateway's ({@code request-out}); a request refused
 * before it had an envelope counts as it is. A department is a provider organisation.
 */
public final class SharingEvaluation {
  private final YearMonth month;
  private final ZoneId zone;
  private final boolean casesKnown;
  private final boolean alertsKnown;
  private final List<Scorecard> rows;

  private SharingEvaluation(YearMonth month, ZoneId zone, boolean casesKnown, boolean alertsKnown, List<Scorecard> rows) {
    this.alertsKnown = alertsKnown;
    this.month = month;
    this.zone = zone;
    this.casesKnown = casesKnown;
    this.rows = List.copyOf(rows);
  }

  /** Returns the scorecards, one per department, ordered by party id. */
  public List<Scorecard> rows() {
    return rows;
  }

  /** Returns the scorecard of a department (organisation party id), if it has one. */
  public java.util.Optional<Scorecard> row(String department) {
    return rows.stream().filter(r -> r.department().equals(department)).findFirst();
  }

  /** Returns the month evaluated. */
  public YearMonth month() {
    return month;
  }

  private static final class Acc {
    long requests;
    long served;
    long refused;
    long failed;
    final TreeMap<String, Long> reasons = new TreeMap<>();
    long[] latencies = new long[16];
    int n;
  }

  /**
   * Computes the evaluation.
   *
   * @param names department display names by organisation party id (e.g. from the bundle); may be empty
   * @param cases the hub's answered cases, or null if the hub was not consulted (the columns stay empty)
   * @throws AuditException if a log does not read or its chain does not check
   */
  public static SharingEvaluation compute(Catalog catalog, Map<String, String> names, List<Path> auditLogs,
      @Nullable List<CaseTiming> cases, YearMonth month, ZoneId zone) throws AuditException {
    return compute(catalog, names, auditLogs, cases, null, month, zone);
  }

  /**
   * Computes the evaluation with the alerts the hub raised.
   *
   * @param alerts the hub's alerts, or null if the hub was not consulted (the column stays empty);
   *     each counts for the department {@link RaisedAlert#department} names, in the month it was raised
   * @throws AuditException if a log does not read or its chain does not check
   */
  public static SharingEvaluation compute(Catalog catalog, Map<String, String> names, List<Path> auditLogs,
      @Nullable List<CaseTiming> cases, @Nullable List<RaisedAlert> alerts, YearMonth month, ZoneId zone)
      throws AuditException {
    return compute(catalog, names, logs(auditLogs), cases, alerts, month, zone);
  }

  /**
   * The audit records an evaluation reads: every record of the gateways' logs (request records
   * before the month's end are enough), each log's records in sequence order. The CLI reads log
   * directories ({@link #logs}); the hub reads the copy its collector verified and stored.
   */
  @FunctionalInterface
  public interface Records {
    /** Passes every record to {@code consumer}. @throws AuditException if a record does not read */
    void forEach(AuditLogReader.RecordConsumer consumer) throws AuditException;
  }

  /** The records of these log directories (each read and chain-checked once, in the order given). */
  public static Records logs(List<Path> auditLogs) {
    List<Path> dirs = List.copyOf(auditLogs);
    return consumer -> {
      Set<Path> seen = new HashSet<>();
      for (Path dir : dirs) {
        if (seen.add(dir.toAbsolutePath().normalize())) {
          AuditLogReader.forEach(dir, consumer);
        }
      }
    };
  }

  /** Returns the first instant after {@code month} in {@code zone}: records from here on are not needed. */
  public static Instant end(YearMonth month, ZoneId zone) {
    return month.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant();
  }

  /**
   * Computes the evaluation from any source of audit records: the one computation behind both
   * {@code shulian evaluate} and the hub console's scorecards.
   *
   * @param cases the hub's answered cases, or null if the hub was not consulted
   * @param alerts the hub's alerts, or null if the hub was not consulted
   * @throws AuditException if a record does not read
   */
  public static SharingEvaluation compute(Catalog catalog, Map<String, String> names, Records records,
      @Nullable List<CaseTiming> cases, @Nullable List<RaisedAlert> alerts, YearMonth month, ZoneId zone)
      throws AuditException {
    Instant start = month.atDay(1).atStartOfDay(zone).toInstant();
    Instant end = end(month, zone);
    // the provider's view of a request wins; remember which envelope ids it has
    Map<String, AuditRecord> providerView = new HashMap<>();
    Map<String, AuditRecord> consumerView = new HashMap<>();
    List<AuditRecord> anonymous = new ArrayList<>();
    Map<String, Instant> lastServed = new HashMap<>();
    records.forEach(e -> {
      AuditRecord r = e.record();
      if (!r.direction().isRequest() || !r.time().isBefore(end)) {
        return;
      }
      if (servedOk(r)) {
        lastServed.merge(r.resource(), r.time(), (a, b) -> a.isAfter(b) ? a : b);
      }
      if (r.time().isBefore(start)) {
        return;
      }
      if (r.envelopeId().isEmpty() || r.envelopeId().equals("-")) {
        anonymous.add(r);
      } else if (r.direction() == Direction.REQUEST_IN) {
        providerView.put(r.envelopeId(), r);
      } else {
        consumerView.putIfAbsent(r.envelopeId(), r);
      }
    });
    List<AuditRecord> counted = new ArrayList<>(providerView.values());
    consumerView.forEach((id, r) -> {
      if (!providerView.containsKey(id)) {
        counted.add(r);
      }
    });
    counted.addAll(anonymous);
    TreeMap<String, Acc> acc = new TreeMap<>();
    for (CatalogResource res : catalog.all()) {
      acc.computeIfAbsent(res.provider().organisation().toString(), k -> new Acc());
    }
    if (alerts != null) {
      // a department with alerts in the month has a row even if it provides nothing
      for (RaisedAlert x : alerts) {
        String dept = x.department();
        if (dept != null && !x.raisedAt().isBefore(start) && x.raisedAt().isBefore(end)) {
          acc.computeIfAbsent(dept, k -> new Acc());
        }
      }
    }
    for (AuditRecord r : counted) {
      String dept = organisation(r.provider());
      if (dept == null) {
        continue; // a request refused before its provider was known: no department to charge
      }
      Acc a = acc.computeIfAbsent(dept, k -> new Acc());
      a.requests++;
      if (r.decision().effect() == AuditDecision.Effect.DENY) {
        a.refused++;
        a.reasons.merge(r.decision().reasonCodes().isEmpty() ? "unspecified" : r.decision().reasonCodes().get(0), 1L, Long::sum);
      } else if (servedOk(r)) {
        a.served++;
      }
      if (r.status() >= 500) {
        a.failed++;
      }
      if (a.n == a.latencies.length) {
        a.latencies = Arrays.copyOf(a.latencies, a.n * 2);
      }
      a.latencies[a.n++] = r.latency().toNanos();
    }
    List<Scorecard> rows = new ArrayList<>();
    for (Map.Entry<String, Acc> e : acc.entrySet()) {
      String dept = e.getKey();
      Acc a = e.getValue();
      int resources = 0;
      int fresh = 0;
      int stale = 0;
      for (CatalogResource res : catalog.all()) {
        if (!res.provider().organisation().toString().equals(dept)) {
          continue;
        }
        resources++;
        Instant since = freshSince(res, month, zone);
        if (since == null) {
          continue;
        }
        Instant last = lastServed.get(res.code());
        if (last != null && !last.isBefore(since)) {
          fresh++;
        } else {
          stale++;
        }
      }
      long[] l = Arrays.copyOf(a.latencies, a.n);
      Arrays.sort(l);
      List<Duration> apps = new ArrayList<>();
      List<Duration> objs = new ArrayList<>();
      if (cases != null) {
        for (CaseTiming c : cases) {
          if (dept.equals(organisation(c.provider())) && !c.answeredAt().isBefore(start) && c.answeredAt().isBefore(end)) {
            (c.objection() ? objs : apps).add(Duration.between(c.submittedAt(), c.answeredAt()));
          }
        }
      }
      long raised = 0;
      if (alerts != null) {
        for (RaisedAlert x : alerts) {
          if (dept.equals(x.department()) && !x.raisedAt().isBefore(start) && x.raisedAt().isBefore(end)) {
            raised++;
          }
        }
      }
      rows.add(new Scorecard(dept, names.getOrDefault(dept, ""), resources, fresh, stale, a.requests, a.served, a.refused,
          a.reasons, a.failed, a.requests == 0 ? null : (double) (a.requests - a.failed) / a.requests,
          a.n == 0 ? null : Duration.ofNanos(rank(l, 0.95)), apps.size(), mean(apps), max(apps), objs.size(), mean(objs),
          max(objs), raised));
    }
    return new SharingEvaluation(month, zone, cases != null, alerts != null, rows);
  }

  private static boolean servedOk(AuditRecord r) {
    return r.decision().effect() == AuditDecision.Effect.PERMIT && r.status() >= 200 && r.status() < 400;
  }

  private static @Nullable String organisation(String party) {
    try {
      return PartyId.parse(party).organisation().toString();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * Returns the earliest serve that keeps a resource fresh at the month's end, or null if it is
   * not judged (not shared, or an irregular update cycle).
   */
  static @Nullable Instant freshSince(CatalogResource r, YearMonth month, ZoneId zone) {
    if (r.sharingType() == SharingType.NOT_SHARED) {
      return null;
    }
    ZonedDateTime end = month.plusMonths(1).atDay(1).atStartOfDay(zone);
    switch (r.updateCycle()) {
      case "real-time":
      case "hourly":
      case "daily":
        return end.minusDays(1).toInstant();
      case "weekly":
        return end.minusDays(7).toInstant();
      case "monthly":
        return end.minusMonths(1).toInstant();
      case "quarterly":
        return end.minusMonths(3).toInstant();
      case "yearly":
        return end.minusYears(1).toInstant();
      default:
        return null;
    }
  }

  private static long rank(long[] sorted, double p) {
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static @Nullable Duration mean(List<Duration> ds) {
    if (ds.isEmpty()) {
      return null;
    }
    long total = 0;
    for (Duration d : ds) {
      total += d.toSeconds();
    }
    return Duration.ofSeconds(total / ds.size());
  }

  private static @Nullable Duration max(List<Duration> ds) {
    return ds.stream().max(Duration::compareTo).orElse(null);
  }

  // ---------------------------------------------------------------------------------- output

  private static final List<String> COLUMNS = List.of("month", "department", "name", "resources", "fresh", "stale",
      "requests", "served", "refused", "refused_by_reason", "failed_5xx", "availability", "p95_latency_ms",
      "applications_answered", "application_answer_mean_h", "application_answer_max_h", "objections_answered",
      "objection_answer_mean_h", "objection_answer_max_h", "alerts");

  private List<String> cells(Scorecard s) {
    List<String> c = new ArrayList<>();
    c.add(month.toString());
    c.add(s.department());
    c.add(s.name());
    c.add(Integer.toString(s.resources()));
    c.add(Integer.toString(s.fresh()));
    c.add(Integer.toString(s.stale()));
    c.add(Long.toString(s.requests()));
    c.add(Long.toString(s.served()));
    c.add(Long.toString(s.refused()));
    StringBuilder reasons = new StringBuilder();
    new TreeMap<>(s.refusedByReason()).forEach((k, v) -> reasons.append(reasons.length() == 0 ? "" : ";").append(k).append('=').append(v));
    c.add(reasons.toString());
    c.add(Long.toString(s.failed()));
    c.add(s.availability() == null ? "" : String.format(Locale.ROOT, "%.4f", s.availability()));
    c.add(s.p95Latency() == null ? "" : String.format(Locale.ROOT, "%.3f", s.p95Latency().toNanos() / 1e6));
    c.add(casesKnown ? Long.toString(s.applicationsAnswered()) : "");
    c.add(hours(s.applicationMeanAnswer()));
    c.add(hours(s.applicationMaxAnswer()));
    c.add(casesKnown ? Long.toString(s.objectionsAnswered()) : "");
    c.add(hours(s.objectionMeanAnswer()));
    c.add(hours(s.objectionMaxAnswer()));
    c.add(alertsKnown ? Long.toString(s.alerts()) : "");
    return c;
  }

  /** Returns the report's column names, as in the CSV's header line. */
  public static List<String> columns() {
    return COLUMNS;
  }

  /**
   * Returns the report's cells, one list per department in {@link #rows()} order and {@link #columns()} order:
   * the exact text {@link #toCsv} and {@link #toHtml} write (before CSV quoting and HTML escaping);
   * an empty cell where a value is unknown.
   */
  public List<List<String>> table() {
    List<List<String>> t = new ArrayList<>();
    for (Scorecard s : rows) {
      t.add(List.copyOf(cells(s)));
    }
    return List.copyOf(t);
  }

  private static String hours(@Nullable Duration d) {
    return d == null ? "" : String.format(Locale.ROOT, "%.2f", d.toSeconds() / 3600.0);
  }

  /**
   * Renders RFC 4180 CSV with a header line; a cell starting with {@code = + - @}, a tab or a carriage
   * return (OWASP's list: a spreadsheet drops the leading blank and runs the formula) is prefixed with
   * {@code '}, unless it is a plain number.
   */
  public String toCsv() {
    StringBuilder b = new StringBuilder(String.join(",", COLUMNS)).append("\r\n");
    for (Scorecard s : rows) {
      List<String> c = cells(s);
      for (int i = 0; i < c.size(); i++) {
        b.append(i == 0 ? "" : ",").append(csv(c.get(i)));
      }
      b.append("\r\n");
    }
    return b.toString();
  }

  private static String csv(String v) {
    String s = !v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0 && !v.matches("-?[0-9.]+") ? "'" + v : v;
    if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
      return "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }

  /** Renders one self-contained HTML page (no script, no external resource; every value escaped). */
  public String toHtml() {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")
        .append("<title>数据共享绩效评价 ").append(Assessment.html(month.toString())).append("</title><style>")
        .append("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}")
        .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:nth-child(2),td:nth-child(3){text-align:left}")
        .append("</style></head><body>\n<h1>数据共享绩效评价 Sharing evaluation ").append(Assessment.html(month.toString()))
        .append("</h1>\n<p>Month boundaries in ").append(Assessment.html(zone.getId()))
        .append(". Definitions: docs/assessment-and-evaluation.md.")
        .append(casesKnown ? "" : " The hub was not consulted: application and objection columns are empty.")
        .append(alertsKnown ? "" : " The hub was not consulted: the alerts column is empty.")
        .append("</p>\n<table><thead><tr>");
    for (String h : COLUMNS) {
      b.append("<th>").append(Assessment.html(h)).append("</th>");
    }
    b.append("</tr></thead><tbody>\n");
    for (Scorecard s : rows) {
      b.append("<tr>");
      for (String c : cells(s)) {
        b.append("<td>").append(Assessment.html(c)).append("</td>");
      }
      b.append("</tr>\n");
    }
    return b.append("</tbody></table>\n</body></html>\n").toString();
  }

  @Override
  public String toString() {
    return "SharingEvaluation[" + month + " " + zone + ", " + rows.size() + " departments]";
  }

  /** Returns the zone month boundaries were computed in. */
  public ZoneId zone() {
    return zone;
  }
}
