package io.shulian.hub.alert;

import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditEntry;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.CityBundle;
import java.sql.SQLException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in early-warning rules (监测预警). Stream rules see every record the collector stored
 * ({@link #stored}), in log order, and judge by the record's own time, so a gateway that catches up
 * after an outage is judged as its records happened; the state they keep (sliding windows, pairs
 * seen) is in memory, per hub. Periodic rules ({@link #check}) look at the gateways' last contact
 * and the newest bundle. Every alert names the events behind it ({@code <log id>:<seq>}).
 *
 * <table>
 *   <caption>rules</caption>
 *   <tr><td>denial_spike</td><td>a consumer refused at least {@code denialSpike.count} times within {@code denialSpike.window}</td></tr>
 *   <tr><td>rejected_envelope</td><td>an envelope refused as tampered, replayed or from an untrusted sender</td></tr>
 *   <tr><td>bulk_export</td><td>a consumer released more than {@code bulkExport.recordsPerHour} responses of one resource within an hour,
 *       counted per minute (the minute of the newest response and the 60 before it: never less than an exact hour, at most
 *       a minute more; see {@link BucketedWindow})</td></tr>
 *   <tr><td>off_hours_access</td><td>a permitted request for a resource in {@code offHours.resources} outside working hours</td></tr>
 *   <tr><td>new_consumer</td><td>the first permitted request of a consumer for a resource</td></tr>
 *   <tr><td>gateway_silent</td><td>a log whose gateway has not shipped (not even a heartbeat) for {@code gatewaySilence}</td></tr>
 *   <tr><td>certificate_expiring</td><td>a member certificate in the newest bundle expiring within {@code certificateExpiry}</td></tr>
 *   <tr><td>bundle_stale</td><td>the newest bundle within {@code bundleStaleness} of its end</td></tr>
 *   <tr><td>crl_stale</td><td>the CRL of the newest bundle within {@code crlStaleness} of its nextUpdate</td></tr>
 *   <tr><td>volume_baseline</td><td>requests of a consumer for a resource in the current hour above {@code volumeFactor}
 *       times the mean of the previous {@code volumeBaselineHours} hours and at least {@code volumeMinCount}</td></tr>
 *   <tr><td>grant_near_limit</td><td>a grant used at least {@code grantNearLimit} of its maxUses</td></tr>
 * </table>
 *
 * Thread-safe (synchronized): the collector calls it from its one ingest thread, the periodic check
 * from a scheduler.
 */
public final class Rules {
  private static final Logger LOG = LoggerFactory.getLogger(Rules.class);
  /** Outcomes of an envelope refused as tampered, replayed or from an untrusted sender. */
  public static final Set<String> REJECTED_ENVELOPE = Set.of("BAD_SIGNATURE", "DECRYPTION_FAILED", "REPLAYED",
      "UNTRUSTED_SENDER", "SENDER_MISMATCH", "WRONG_RECEIVER", "MALFORMED", "ALGORITHM_NOT_ALLOWED",
      "EMBEDDED_KEY_REFUSED", "INVALID_KEY", "UNKNOWN_CRITICAL_HEADER", "SUITE_MISMATCH");

  /** Thresholds (hub.yaml {@code alerts:}). */
  public record Thresholds(int denialCount, Duration denialWindow, long bulkRecordsPerHour, Set<String> offHoursResources,
      ZoneId zone, LocalTime workFrom, LocalTime workTo, boolean newConsumer, Duration gatewaySilence,
      Duration certificateExpiry, Duration bundleStaleness, double volumeFactor, long volumeMinCount,
      int volumeBaselineHours, double grantNearLimit, Duration crlStaleness) {
    public Thresholds {
      offHoursResources = Set.copyOf(offHoursResources);
      if (!(volumeFactor > 1) || volumeMinCount < 1 || volumeBaselineHours < 1 || volumeBaselineHours > 24 * 28) {
        throw new IllegalArgumentException("volumeFactor above 1, volumeMinCount at least 1, volumeBaselineHours 1 to 672");
      }
      if (!(grantNearLimit > 0) || grantNearLimit > 1) {
        throw new IllegalArgumentException("grantNearLimit: a fraction above 0 and at most 1, got " + grantNearLimit);
      }
    }

    /** The rules of the first release, with the defaults of the later ones. */
    public Thresholds(int denialCount, Duration denialWindow, long bulkRecordsPerHour, Set<String> offHoursResources,
        ZoneId zone, LocalTime workFrom, LocalTime workTo, boolean newConsumer, Duration gatewaySilence,
        Duration certificateExpiry, Duration bundleStaleness) {
      this(denialCount, denialWindow, bulkRecordsPerHour, offHoursResources, zone, workFrom, workTo, newConsumer,
          gatewaySilence, certificateExpiry, bundleStaleness, 5.0, 100, 24, 0.8, Duration.ofHours(6));
    }

    /** The defaults documented in docs/security-operations.md. */
    public static Thresholds defaults() {
      return new Thresholds(20, Duration.ofMinutes(5), 10_000, Set.of(), ZoneId.of("Asia/Shanghai"), LocalTime.of(8, 0),
          LocalTime.of(18, 0), true, Duration.ofMinutes(3), Duration.ofDays(30), Duration.ofHours(6));
    }
  }

  /**
   * Where {@code grant_near_limit} learns a grant's use limit: the hub's sharing applications (the
   * grant issued when one was approved). Empty when the hub does not know the grant.
   */
  @FunctionalInterface
  public interface GrantLimits {
    java.util.OptionalLong maxUses(String grantId) throws SQLException;
  }

  /** A log the collector knows and when its gateway was last heard of. */
  public record LogContact(String logId, String party, Instant lastSeen) {}

  private final Alerts alerts;
  private final Thresholds t;
  /**
   * The most subjects {@code denial_spike} (consumers), {@code bulk_export}, {@code volume_baseline}
   * and {@code new_consumer} (consumer and resource pairs) each keep state for at once. A permitted
   * response or request names a consumer and resource the provider's policy let through, so the
   * city's members and catalog bound the real subjects; a refusal names the consumer and resource
   * its envelope claims (one that does not verify raises rejected_envelope as well), and
   * volume_baseline counts refused requests too. The limit is against records naming ever new
   * subjects.
   */
  static final int MAX_SUBJECTS = 10_000;
  /**
   * How far past the hub's clock a record's time is taken as it is (denial_spike, bulk_export,
   * volume_baseline); a later one counts as this far past now. One dated year 9999 would otherwise
   * move its subject's window there, and every honest record after it would count as late.
   */
  static final Duration MAX_AHEAD = Duration.ofMinutes(1);
  /** The width of a {@code bulk_export} bucket: the hour is counted per minute. */
  static final long BULK_BUCKET_SECONDS = 60;
  private static final int BULK_BUCKETS = 60;

  /** denial_spike: per consumer, its newest refusals in the window, at most {@code denialCount + 1}. */
  private final RecentKeys<ArrayDeque<Timed>> denials = new RecentKeys<>("denial_spike", MAX_SUBJECTS);
  /** bulk_export: per consumer and resource, the responses of the last hour per minute. */
  private final RecentKeys<BucketedWindow> exports = new RecentKeys<>("bulk_export", MAX_SUBJECTS);
  /** new_consumer: the consumer and resource pairs seen (as {@code consumer|resource}). */
  private final RecentKeys<Boolean> pairs = new RecentKeys<>("new_consumer", MAX_SUBJECTS);
  /** volume_baseline: per consumer and resource, the requests per hour. */
  private final RecentKeys<Hourly> volumes = new RecentKeys<>("volume_baseline", MAX_SUBJECTS);
  private final Map<String, Long> grantUses = new HashMap<>();
  private final Map<String, Limit> grantLimits = new HashMap<>();
  private final Set<String> grantsAlerted = new HashSet<>();
  private final GrantLimits limits;
  private final Clock clock;

  private record Timed(Instant at, String logId, long seq) {}

  /** A grant's limit as looked up, and when (an unknown grant is looked up again after 10 minutes). */
  private record Limit(long maxUses, Instant lookedUp) {}

  /**
   * Requests per hour of one consumer and resource, for the last {@code baselineHours + 1} hours (a
   * ring indexed by hour), and since which hour it is watched: the baseline is learned once that
   * is {@code baselineHours} back.
   */
  private static final class Hourly {
    final long firstHour;
    final long[] counts;
    long lastHour;
    long alertedHour = -1;
    final List<String> refs = new ArrayList<>();

    Hourly(long hour, int hours) {
      this.firstHour = hour;
      this.lastHour = hour;
      this.counts = new long[hours + 1];
    }
  }

  /**
   * @param knownPairs consumer-resource pairs already seen (as {@code consumer|resource}), e.g. from
   *     the stored events, so that a restart does not call every consumer new; at most {@link
   *     #MAX_SUBJECTS} are kept (those last in iteration order)
   */
  public Rules(Alerts alerts, Thresholds thresholds, Set<String> knownPairs) {
    this(alerts, thresholds, knownPairs, Map.of(), id -> java.util.OptionalLong.empty());
  }

  /**
   * @param knownGrantUses the permitted requests stored so far per grant id (from the collected
   *     events), so that a restart counts on from there
   * @param limits the use limit of a grant
   */
  public Rules(Alerts alerts, Thresholds thresholds, Set<String> knownPairs, Map<String, Long> knownGrantUses,
      GrantLimits limits) {
    this(alerts, thresholds, knownPairs, knownGrantUses, limits, Clock.systemUTC());
  }

  /** As the other constructor, with {@code clock} as the hub's clock (records dated past it; grant lookups). */
  Rules(Alerts alerts, Thresholds thresholds, Set<String> knownPairs, Map<String, Long> knownGrantUses,
      GrantLimits limits, Clock clock) {
    this.alerts = alerts;
    this.t = thresholds;
    for (String p : knownPairs) {
      pairs.add(p, Boolean.TRUE);
    }
    this.grantUses.putAll(knownGrantUses);
    this.limits = limits;
    this.clock = clock;
  }

  /** Judges the records of one accepted batch of {@code logId}, shipped by {@code party}. */
  public synchronized void stored(PartyId party, String logId, List<AuditEntry> entries) {
    for (AuditEntry e : entries) {
      try {
        judge(logId, e);
      } catch (SQLException x) {
        LOG.atWarn().addKeyValue("event", "alert_rule_failed").log("an alert could not be stored: {}", x.getMessage());
      } catch (RuntimeException x) {
        // the collector calls this inside the batch's transaction: thrown on, it would refuse the
        // batch, and the gateway would send the same batch again and again
        LOG.atWarn().addKeyValue("event", "alert_rule_failed").addKeyValue("log_id", logId).addKeyValue("seq", e.seq())
            .log("the alert rules failed on {}:{}: {}", logId, e.seq(), x.toString());
      }
    }
  }

  private void judge(String logId, AuditEntry e) throws SQLException {
    AuditRecord r = e.record();
    long seq = e.seq();
    boolean permit = r.decision().effect() == AuditDecision.Effect.PERMIT;
    String consumer = r.consumer();
    Instant at = notAhead(r.time()); // the time the windowed rules count it at
    if (r.direction().isRequest() && !permit) {
      if (REJECTED_ENVELOPE.contains(r.outcome())
          || r.decision().reasonCodes().stream().anyMatch(REJECTED_ENVELOPE::contains)) {
        alerts.raise("rejected_envelope", Alert.Severity.CRITICAL, r.outcome() + " " + r.sender() + " -> " + r.receiver(),
            "an envelope from " + r.sender() + " to " + r.receiver() + " was refused: " + r.outcome(), List.of(ref(logId, seq)));
      }
      ArrayDeque<Timed> w = denied(consumer, at, logId, seq);
      if (w.size() >= t.denialCount()) {
        int n = w.size();
        alerts.raise("denial_spike", Alert.Severity.WARNING, consumer, () -> consumer + " was refused "
            + (n > t.denialCount() ? "more than " + t.denialCount() : n) + " times within " + t.denialWindow(), () -> refs(w));
      }
    }
    if (r.direction() == Direction.RESPONSE_OUT && permit) {
      // a response the provider's gateway released to the consumer: one per exchange (the consumer
      // gateway's RESPONSE_IN record of the same exchange is not counted again)
      String key = consumer + " " + r.resource();
      BucketedWindow w = exports.get(key, k -> new BucketedWindow(BULK_BUCKET_SECONDS, BULK_BUCKETS));
      long n = w.add(at.getEpochSecond(), logId, seq);
      if (n > t.bulkRecordsPerHour()) {
        alerts.raise("bulk_export", Alert.Severity.WARNING, key, () -> consumer + " received " + n + " responses of "
            + r.resource() + " within an hour (limit " + t.bulkRecordsPerHour() + ")", w::refs);
      }
    }
    if (r.direction() == Direction.REQUEST_IN) {
      volume(consumer + " " + r.resource(), at, logId, seq);
      if (permit && !r.grantId().isEmpty()) {
        grantUse(r.grantId(), consumer, logId, seq);
      }
    }
    if (r.direction().isRequest() && permit) {
      if (t.offHoursResources().contains(r.resource())) {
        LocalDateTime local = local(r.time());
        if (local == null || offHours(local)) {
          alerts.raise("off_hours_access", Alert.Severity.WARNING, consumer + " " + r.resource(), consumer
              + " accessed " + r.resource() + " (core or important data) at " + (local == null ? r.time() : local)
              + ", outside working hours", List.of(ref(logId, seq)));
        }
      }
      if (t.newConsumer() && pairs.add(consumer + "|" + r.resource(), Boolean.TRUE)) {
        alerts.raise("new_consumer", Alert.Severity.INFO, consumer + " " + r.resource(), consumer
            + " received access to " + r.resource() + " for the first time", List.of(ref(logId, seq)));
      }
    }
  }

  /** volume_baseline: counts the provider's view of requests (REQUEST_IN), by the record's hour. */
  private void volume(String key, Instant at, String logId, long seq) throws SQLException {
    int n = t.volumeBaselineHours();
    long hour = Math.floorDiv(at.getEpochSecond(), 3600);
    Hourly h = volumes.get(key, k -> new Hourly(hour, n));
    if (hour > h.lastHour) {
      for (long x = h.lastHour + 1; x <= hour && x <= h.lastHour + n + 1; x++) {
        h.counts[(int) Math.floorMod(x, (long) n + 1)] = 0;
      }
      h.lastHour = hour;
      h.refs.clear();
    } else if (hour <= h.lastHour - n - 1 || hour < h.firstHour) {
      return; // older than the window
    }
    long now = ++h.counts[(int) Math.floorMod(hour, (long) n + 1)];
    if (hour != h.lastHour) {
      return; // a late record counts for its hour; only the current hour is judged
    }
    if (h.refs.size() < Alerts.MAX_EVENT_REFS) {
      h.refs.add(ref(logId, seq));
    }
    if (h.firstHour > hour - n || h.alertedHour == hour || now < t.volumeMinCount()) {
      return; // still learning, alerted this hour already, or too few to matter
    }
    long sum = 0;
    for (long x = hour - n; x < hour; x++) {
      sum += h.counts[(int) Math.floorMod(x, (long) n + 1)];
    }
    double mean = (double) sum / n;
    if (now > t.volumeFactor() * mean) {
      h.alertedHour = hour;
      alerts.raise("volume_baseline", Alert.Severity.WARNING, key, key.replace(" ", " asked for ") + " " + now
          + " times in the hour from " + Instant.ofEpochSecond(hour * 3600) + ", " + String.format(java.util.Locale.ROOT,
              "%.1f", mean) + " per hour in the previous " + n + " hours (factor " + t.volumeFactor() + ")", h.refs);
    }
  }

  /** grant_near_limit: each permitted request under a grant uses it once (the provider's policy engine counts it). */
  private void grantUse(String grantId, String consumer, String logId, long seq) throws SQLException {
    long used = grantUses.merge(grantId, 1L, Long::sum);
    if (grantsAlerted.contains(grantId)) {
      return;
    }
    Instant now = clock.instant();
    Limit l = grantLimits.get(grantId);
    if (l == null || (l.maxUses() < 0 && l.lookedUp().isBefore(now.minus(Duration.ofMinutes(10))))) {
      java.util.OptionalLong m = limits.maxUses(grantId);
      l = new Limit(m.isPresent() ? m.getAsLong() : -1, now);
      grantLimits.put(grantId, l);
    }
    if (l.maxUses() > 0 && used >= Math.ceil(t.grantNearLimit() * l.maxUses())) {
      grantsAlerted.add(grantId);
      alerts.raise("grant_near_limit", Alert.Severity.WARNING,
          consumer + " grant " + grantId, "grant " + grantId + " of " + consumer + " has been used " + used + " of its " + l.maxUses()
              + " times", List.of(ref(logId, seq)));
    }
  }

  private boolean offHours(LocalDateTime at) {
    LocalTime lt = at.toLocalTime();
    java.time.DayOfWeek d = at.getDayOfWeek();
    return d == java.time.DayOfWeek.SATURDAY || d == java.time.DayOfWeek.SUNDAY || lt.isBefore(t.workFrom())
        || !lt.isBefore(t.workTo());
  }

  /**
   * {@code at} in the working zone, or null past the calendar's range (a record dated at the ends
   * of {@link Instant}'s range, which no working hours hold: off_hours_access takes it as off hours).
   */
  private @Nullable LocalDateTime local(Instant at) {
    try {
      return LocalDateTime.ofInstant(at, t.zone());
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** {@code at}, or {@link #MAX_AHEAD} past the hub's clock if it is later than that. */
  private Instant notAhead(Instant at) {
    Instant latest = clock.instant().plus(MAX_AHEAD);
    return at.isAfter(latest) ? latest : at;
  }

  /**
   * denial_spike's window of {@code consumer} after a refusal at {@code at}: its refusals within
   * {@code denialWindow}, oldest first, but at most {@code denialCount + 1} — enough to tell whether
   * the count is reached (exactly as with all of them), so a flood of refusals holds no more.
   */
  private ArrayDeque<Timed> denied(String consumer, Instant at, String logId, long seq) {
    ArrayDeque<Timed> w = denials.get(consumer, k -> new ArrayDeque<>());
    w.addLast(new Timed(at, logId, seq));
    Instant from;
    try {
      from = at.minus(t.denialWindow());
    } catch (DateTimeException | ArithmeticException e) {
      from = Instant.MIN; // a refusal dated within the window of the start of Instant's range
    }
    while (!w.isEmpty() && w.peekFirst().at().isBefore(from)) {
      w.removeFirst();
    }
    while (w.size() > Math.max(0, t.denialCount()) + 1) {
      w.removeFirst();
    }
    return w;
  }

  private static List<String> refs(ArrayDeque<Timed> w) {
    List<String> out = new ArrayList<>();
    for (Timed x : w) {
      if (out.size() == Alerts.MAX_EVENT_REFS) {
        break;
      }
      out.add(ref(x.logId(), x.seq()));
    }
    return out;
  }

  /** An event as alerts name it. */
  private static String ref(String logId, long seq) {
    return logId + ":" + seq;
  }

  /** The subjects {@code rule} (denial_spike, bulk_export, volume_baseline or new_consumer) holds state for. */
  synchronized int held(String rule) {
    return state(rule).size();
  }

  /** The subjects {@code rule} dropped at its limit. */
  synchronized long dropped(String rule) {
    return state(rule).evicted();
  }

  private RecentKeys<?> state(String rule) {
    return switch (rule) {
      case "denial_spike" -> denials;
      case "bulk_export" -> exports;
      case "volume_baseline" -> volumes;
      case "new_consumer" -> pairs;
      default -> throw new IllegalArgumentException("no subject state for " + rule);
    };
  }

  /** The subjects denial_spike and bulk_export hold state for (for the tests of its bound). */
  synchronized int subjectsHeld() {
    return denials.size() + exports.size();
  }

  /** The subjects denial_spike and bulk_export dropped at their limit. */
  synchronized long subjectsDropped() {
    return denials.evicted() + exports.evicted();
  }

  /** The refusals, event references and counters denial_spike and bulk_export hold in all (for the tests of their bound). */
  synchronized long cellsHeld() {
    long[] n = {0};
    denials.forEach(w -> n[0] += w.size());
    exports.forEach(w -> n[0] += w.heldRefs() + w.counters());
    return n[0];
  }

  /**
   * The periodic rules at {@code now}: silent gateways, expiring certificates, a bundle or its CRL near its end.
   *
   * @param logs the logs the collector knows and their last contact
   * @param bundle the newest published bundle of the hub's suite, or null before the first
   */
  public synchronized void check(Instant now, List<LogContact> logs, @Nullable CityBundle bundle) throws SQLException {
    for (LogContact l : logs) {
      if (l.lastSeen().isBefore(now.minus(t.gatewaySilence()))) {
        alerts.raise("gateway_silent", Alert.Severity.WARNING, l.party(), "the gateway of " + l.party() + " (log "
            + l.logId() + ") has not shipped events since " + l.lastSeen(), List.of());
      }
    }
    if (bundle == null) {
      return;
    }
    for (CityBundle.Member m : bundle.parties()) {
      for (PartyCertificate c : m.certificates()) {
        if (c.notAfter().isBefore(now.plus(t.certificateExpiry()))) {
          alerts.raise("certificate_expiring", c.notAfter().isBefore(now) ? Alert.Severity.CRITICAL : Alert.Severity.WARNING,
              m.party() + " " + c.keyId(), "certificate " + c.keyId() + " of " + m.party() + " expires " + c.notAfter(),
              List.of());
        }
      }
    }
    if (bundle.validUntil().isBefore(now.plus(t.bundleStaleness()))) {
      alerts.raise("bundle_stale", Alert.Severity.CRITICAL, "bundle v" + bundle.version(), "the newest city bundle (v"
          + bundle.version() + ") is valid only until " + bundle.validUntil() + ": publish a fresh one", List.of());
    }
    java.util.Date next = bundle.crl().getNextUpdate();
    if (next != null && next.toInstant().isBefore(now.plus(t.crlStaleness()))) {
      alerts.raise("crl_stale", next.toInstant().isBefore(now) ? Alert.Severity.CRITICAL : Alert.Severity.WARNING,
          "crl of bundle v" + bundle.version(), "the CRL in the newest city bundle (v" + bundle.version()
              + ") is due for its next update at " + next.toInstant() + ": publish a bundle with a fresh CRL", List.of());
    }
  }

  /** A supplier of the inputs of {@link #check}, for the hub's scheduler. */
  public interface Inputs {
    List<LogContact> logs() throws SQLException;

    @Nullable CityBundle bundle();
  }

  /** Runs {@link #check} now with {@code inputs}; failures are logged, never thrown. */
  public void checkNow(Supplier<Instant> clock, Inputs inputs) {
    try {
      check(clock.get(), inputs.logs(), inputs.bundle());
    } catch (SQLException | RuntimeException e) {
      LOG.atWarn().addKeyValue("event", "alert_rule_failed").log("periodic alert rules failed: {}", e.getMessage());
    }
  }
}
