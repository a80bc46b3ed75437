package io.shulian.hub.alert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.shulian.hub.store.HubStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Raises, stores and moves alerts, and delivers them to an Alertmanager-compatible webhook (the
 * Alertmanager v4 webhook JSON: {@code status firing} when raised, {@code resolved} when closed).
 * At most one alert per rule and subject is open or acknowledged at a time: a condition that keeps
 * holding (a shipper retrying a refused batch every second) does not raise a new alert each time.
 * Thread-safe.
 */
public final class Alerts {
  private static final Logger LOG = LoggerFactory.getLogger(Alerts.class);
  /** The most event references kept with one alert. */
  public static final int MAX_EVENT_REFS = 100;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMNS = "id, rule, severity, subject, summary, event_refs, state, raised_at, changed_at,"
      + " changed_by, note";

  private final HubStore store;
  private final Clock clock;
  private final @Nullable URI webhook;
  private final @Nullable HttpClient http;
  private final @Nullable MeterRegistry registry;
  /**
   * The rule and subject of alerts seen open or acknowledged, with when ({@link System#nanoTime}): a
   * rule that keeps firing on every record while its alert is open (bulk export: every response
   * past the hourly limit) is answered from here instead of a database query per record. Trusted
   * for {@link #OPEN_RECHECK} (an alert closed by another hub instance on the same database is
   * noticed after at most that), dropped at once when this instance closes the alert, and bounded:
   * cleared when it holds {@link #MAX_KNOWN_OPEN} entries.
   */
  private final Map<String, Long> knownOpen = new ConcurrentHashMap<>();
  /** How long an alert seen open is taken to be still open without asking the database. */
  static final Duration OPEN_RECHECK = Duration.ofSeconds(10);
  private static final int MAX_KNOWN_OPEN = 10_000;

  /**
   * @param webhook the Alertmanager-compatible receiver ({@code http(s)://…}), or null for none
   */
  public Alerts(HubStore store, Clock clock, @Nullable URI webhook, @Nullable MeterRegistry registry) {
    this.store = store;
    this.clock = clock;
    this.webhook = webhook;
    this.registry = registry;
    this.http = webhook == null ? null : HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /**
   * Raises an alert unless one of {@code rule} and {@code subject} is open or acknowledged already.
   *
   * @return the new alert, or empty if one was already open
   * @throws SQLException if the database fails
   */
  public Optional<Alert> raise(String rule, Alert.Severity severity, String subject, String summary, List<String> events)
      throws SQLException {
    return raise(rule, severity, subject, () -> summary, () -> events);
  }

  /**
   * {@link #raise(String, Alert.Severity, String, String, List)} with the summary and the events
   * made only when the alert is new: a rule that holds on every record while its alert is open
   * (bulk export past its limit) does not build them each time.
   */
  public Optional<Alert> raise(String rule, Alert.Severity severity, String subject, Supplier<String> summary,
      Supplier<List<String>> events) throws SQLException {
    String s = clip(subject, 512);
    String key = rule + '\n' + s;
    Long seen = knownOpen.get(key);
    if (seen != null && System.nanoTime() - seen < OPEN_RECHECK.toNanos()) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    Alert a;
    try (Connection c = store.connection()) {
      try {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM hub_alerts WHERE rule = ? AND subject = ?"
            + " AND state <> 'CLOSED'")) {
          ps.setString(1, rule);
          ps.setString(2, s);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              c.commit();
              seenOpen(key);
              return Optional.empty();
            }
          }
        }
        List<String> all = events.get();
        List<String> refs = all.size() > MAX_EVENT_REFS ? all.subList(0, MAX_EVENT_REFS) : all;
        String text = clip(summary.get(), 2000);
        long id;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO hub_alerts (rule, severity, subject, summary,"
            + " event_refs, state, raised_at, changed_at) VALUES (?, ?, ?, ?, ?, 'OPEN', ?, ?)", new String[] {"id"})) {
          ps.setString(1, rule);
          ps.setString(2, severity.label());
          ps.setString(3, s);
          ps.setString(4, text);
          ps.setString(5, clip(String.join(",", refs), 8000));
          ps.setTimestamp(6, Timestamp.from(now));
          ps.setTimestamp(7, Timestamp.from(now));
          ps.executeUpdate();
          try (ResultSet rs = ps.getGeneratedKeys()) {
            rs.next();
            id = rs.getLong(1);
          }
        }
        c.commit();
        seenOpen(key);
        a = new Alert(id, rule, severity, s, text, refs, Alert.State.OPEN, now, now, null, null);
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    }
    if (registry != null) {
      registry.counter("shulian.hub.alerts.raised", "rule", rule, "severity", severity.label()).increment();
    }
    LOG.atWarn().addKeyValue("event", "alert_raised").addKeyValue("alert_id", a.id()).addKeyValue("rule", rule)
        .addKeyValue("severity", severity.label()).addKeyValue("subject", s).log("alert {}: {}", rule, a.summary());
    deliver(a);
    return Optional.of(a);
  }

  private void seenOpen(String key) {
    if (knownOpen.size() >= MAX_KNOWN_OPEN) {
      knownOpen.clear();
    }
    knownOpen.put(key, System.nanoTime());
  }

  /** Returns alerts newest first, in {@code state} if given, at most {@code limit}. */
  public List<Alert> list(Alert.@Nullable State state, int limit) throws SQLException {
    try (Connection c = store.connection()) {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM hub_alerts"
          + (state == null ? "" : " WHERE state = ?") + " ORDER BY id DESC FETCH FIRST " + Math.max(1, limit) + " ROWS ONLY")) {
        if (state != null) {
          ps.setString(1, state.name());
        }
        List<Alert> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(row(rs));
          }
        }
        c.commit();
        return out;
      }
    }
  }

  public Optional<Alert> get(long id) throws SQLException {
    try (Connection c = store.connection()) {
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM hub_alerts WHERE id = ?")) {
        ps.setLong(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          Optional<Alert> a = rs.next() ? Optional.of(row(rs)) : Optional.empty();
          c.commit();
          return a;
        }
      }
    }
  }

  /** The outcome of {@link #move}. */
  public enum Move {
    MOVED,
    NOT_FOUND,
    /** Closed already, or acknowledging an acknowledged alert. */
    ILLEGAL_TRANSITION
  }

  /**
   * Acknowledges ({@code OPEN → ACKNOWLEDGED}) or closes ({@code OPEN|ACKNOWLEDGED → CLOSED}) an
   * alert, compare-and-set on its state so two operators cannot both move it. {@code beforeCommit}
   * (the audit record) runs in the same transaction, last, only when the alert moves: no record, no move.
   */
  public Move move(long id, Alert.State to, String by, String note, HubStore.@Nullable InTransaction beforeCommit)
      throws SQLException, io.shulian.hub.audit.AuditUnavailableException {
    if (to == Alert.State.OPEN) {
      throw new IllegalArgumentException("an alert is never reopened");
    }
    Instant now = clock.instant();
    Optional<Alert> before = get(id);
    if (before.isEmpty()) {
      return Move.NOT_FOUND;
    }
    String from = to == Alert.State.ACKNOWLEDGED ? "state = 'OPEN'" : "state <> 'CLOSED'";
    int n;
    try (Connection c = store.connection()) {
      try (PreparedStatement ps = c.prepareStatement("UPDATE hub_alerts SET state = ?, changed_at = ?, changed_by = ?,"
          + " note = ? WHERE id = ? AND " + from)) {
        ps.setString(1, to.name());
        ps.setTimestamp(2, Timestamp.from(now));
        ps.setString(3, clip(by, 128));
        ps.setString(4, clip(note, 2000));
        ps.setLong(5, id);
        n = ps.executeUpdate();
        if (n == 1 && beforeCommit != null) {
          beforeCommit.run(c);
        }
        c.commit();
      } catch (SQLException | io.shulian.hub.audit.AuditUnavailableException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
    if (n == 0) {
      return Move.ILLEGAL_TRANSITION;
    }
    if (to == Alert.State.CLOSED) {
      Alert b = before.get();
      knownOpen.remove(b.rule() + '\n' + b.subject());
      deliver(new Alert(b.id(), b.rule(), b.severity(), b.subject(), b.summary(), b.events(), Alert.State.CLOSED,
          b.raisedAt(), now, by, note));
    }
    return Move.MOVED;
  }

  /** Returns the alert as the JSON object of the admin API. */
  public static ObjectNode toJson(Alert a) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", a.id()).put("rule", a.rule()).put("severity", a.severity().label()).put("subject", a.subject())
        .put("summary", a.summary()).put("state", a.state().name().toLowerCase(java.util.Locale.ROOT))
        .put("raisedAt", a.raisedAt().toString()).put("changedAt", a.changedAt().toString());
    ArrayNode ev = o.putArray("events");
    a.events().forEach(ev::add);
    if (a.changedBy() != null) {
      o.put("changedBy", a.changedBy());
    }
    if (a.note() != null) {
      o.put("note", a.note());
    }
    return o;
  }

  /** The Alertmanager v4 webhook payload for one alert (firing, or resolved once closed). */
  public static String webhookPayload(Alert a) {
    boolean resolved = a.state() == Alert.State.CLOSED;
    ObjectNode p = JSON.createObjectNode();
    p.put("version", "4").put("groupKey", "{}:{alertname=\"" + a.rule() + "\"}").put("truncatedAlerts", 0)
        .put("status", resolved ? "resolved" : "firing").put("receiver", "shulian-hub").put("externalURL", "");
    p.putObject("groupLabels").put("alertname", a.rule());
    ObjectNode common = p.putObject("commonLabels");
    common.put("alertname", a.rule()).put("severity", a.severity().label());
    p.putObject("commonAnnotations");
    ObjectNode al = p.putArray("alerts").addObject();
    al.put("status", resolved ? "resolved" : "firing");
    al.putObject("labels").put("alertname", a.rule()).put("severity", a.severity().label()).put("subject", a.subject())
        .put("alert_id", Long.toString(a.id()));
    al.putObject("annotations").put("summary", a.summary()).put("events", String.join(",", a.events()));
    al.put("startsAt", a.raisedAt().toString()).put("endsAt", resolved ? a.changedAt().toString() : "0001-01-01T00:00:00Z")
        .put("generatorURL", "").put("fingerprint", fingerprint(a));
    return p.toString();
  }

  private static String fingerprint(Alert a) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256")
          .digest((a.rule() + "\n" + a.subject() + "\n" + a.id()).getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(Arrays.copyOf(d, 8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void deliver(Alert a) {
    URI to = webhook;
    HttpClient h = http;
    if (to == null || h == null) {
      return;
    }
    HttpRequest r = HttpRequest.newBuilder(to).timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(webhookPayload(a))).build();
    h.sendAsync(r, HttpResponse.BodyHandlers.discarding()).whenComplete((resp, e) -> {
      if (e != null || resp.statusCode() / 100 != 2) {
        if (registry != null) {
          registry.counter("shulian.hub.alerts.webhook.failures").increment();
        }
        LOG.atWarn().addKeyValue("event", "alert_webhook_failed").addKeyValue("alert_id", a.id())
            .addKeyValue("status", resp == null ? 0 : resp.statusCode())
            .log("alert {} not delivered to the webhook: {}", a.id(), e == null ? "status " + resp.statusCode() : e.toString());
      }
    });
  }

  private static Alert row(ResultSet rs) throws SQLException {
    String refs = rs.getString(6);
    Timestamp changed = rs.getTimestamp(9);
    return new Alert(rs.getLong(1), rs.getString(2), Alert.Severity.valueOf(rs.getString(3).toUpperCase(java.util.Locale.ROOT)),
        rs.getString(4), rs.getString(5), refs.isEmpty() ? List.of() : List.of(refs.split(",")),
        Alert.State.valueOf(rs.getString(7)), rs.getTimestamp(8).toInstant(), changed.toInstant(), rs.getString(10),
        rs.getString(11));
  }

  /**
   * Text as an alert column holds it: at most {@code max} characters, a NUL character (which
   * PostgreSQL's text refuses: the alert would be lost) as U+FFFD.
   */
  private static String clip(String s, int max) {
    String t = s.indexOf('\u0000') < 0 ? s : s.replace('\u0000', '\uFFFD');
    return t.length() <= max ? t : t.substring(0, max - 1) + "…";
  }
}
