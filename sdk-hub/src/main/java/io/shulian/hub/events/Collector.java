package io.shulian.hub.events;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shulian.core.audit.AuditEntry;
import io.shulian.core.audit.AuditException;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.AuditStreamVerifier;
import io.shulian.core.audit.Checkpoint;
import io.shulian.core.audit.CheckpointTrust;
import io.shulian.core.audit.HashAlgorithm;
import io.shulian.core.keys.KeyMaterialException;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.CityTrust;
import io.shulian.core.trust.TrustException;
import io.shulian.hub.alert.Alert;
import io.shulian.hub.alert.Alerts;
import io.shulian.hub.store.HubStore;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The hub's event collector: takes a batch of one gateway audit log (records as stored, the
 * checkpoints among them, the writer's certificates), verifies it with sdk-core's
 * {@link AuditStreamVerifier} — sequence order, hash chain, Merkle root and chain head at every
 * checkpoint, checkpoint signatures by a signing certificate of the shipping party that the city
 * trust validates — and stores it in one transaction, or refuses all of it. A gap, a fork (a record
 * or checkpoint that contradicts what was stored, a chain that does not end where the writer's
 * does) and a bad signature are refused with a typed problem and raise an alert; a batch sent again
 * (same log id, seq and leaf hash) is answered as accepted and stores nothing twice.
 *
 * <p>A new log must start at seq 0 with its tree-size-0 checkpoint: the signature binds the log id
 * to the party before any record of it is stored, and the log stays that party's. Batches are
 * taken one at a time (a lock), so the state of a log is never read and written by two at once.
 */
public final class Collector {
  /** The most records in one batch. */
  public static final int MAX_RECORDS = 10_000;
  /** The most checkpoints in one batch. */
  public static final int MAX_CHECKPOINTS = 1_000;
  /** The largest request body (the hub's aggregator takes no more). */
  public static final int MAX_BODY_BYTES = 8 << 20;
  private static final int MAX_CERT_PEM = 64 << 10;
  /** Events are keyed by {@code log_no * 2^40 + seq} (V5_1): a log holds fewer than 2^40 records. */
  static final int SEQ_BITS = 40;
  private static final long SEQ_LIMIT = 1L << SEQ_BITS;
  private static final long LOG_NO_LIMIT = 1L << (63 - SEQ_BITS);
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
  private static final Set<String> MEMBERS = Set.of("logId", "hash", "firstSeq", "records", "chainHead", "checkpoints",
      "certificates");

  /** What the collector answers: accepted (status 200 and a JSON body) or refused with a code. */
  public record Result(int status, @Nullable String code, String detail, String body) {
    static Result ok(String body) {
      return new Result(200, null, "", body);
    }

    static Result refuse(int status, String code, String detail) {
      return new Result(status, code, detail, "");
    }

    public boolean accepted() {
      return code == null;
    }
  }

  /** Called with the records stored by each accepted batch (the early-warning rules listen here). */
  public interface Listener {
    void stored(PartyId party, String logId, List<AuditEntry> entries);
  }

  private final HubStore store;
  private final CityTrustSource trust;
  private final Alerts alerts;
  private final Clock clock;
  private final List<Listener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** The city trust that validates checkpoint signers (the hub's newest bundle). */
  @FunctionalInterface
  public interface CityTrustSource {
    CityTrust trust() throws TrustException;
  }

  public Collector(HubStore store, CityTrustSource trust, Alerts alerts, Clock clock) {
    this.store = store;
    this.trust = trust;
    this.alerts = alerts;
    this.clock = clock;
  }

  public void addListener(Listener l) {
    listeners.add(l);
  }

  /** Parsed batch. */
  private record Batch(String logId, HashAlgorithm hash, long firstSeq, List<byte[]> records, byte @Nullable [] chainHead,
      List<Checkpoint> checkpoints, List<PartyCertificate> certificates) {}

  /** Thrown inside an ingest to refuse the batch. */
  private static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final transient Result result;
    final @Nullable String alertRule;

    Refusal(int status, String code, String detail, @Nullable String alertRule) {
      super(detail, null, false, false);
      this.result = Result.refuse(status, code, detail);
      this.alertRule = alertRule;
    }
  }

  /** Returns where the log stands for its party: {@code {"logId","nextSeq","covered"}}, or empty if unknown. */
  public Optional<String> cursor(PartyId party, String logId) throws SQLException {
    if (!logId.matches("[0-9a-f]{32}")) {
      return Optional.empty();
    }
    try (Connection c = store.connection()) {
      try (PreparedStatement ps = c.prepareStatement("SELECT next_seq, covered FROM hub_event_logs WHERE log_id = ? AND party = ?")) {
        ps.setString(1, logId);
        ps.setString(2, party.toString());
        try (ResultSet rs = ps.executeQuery()) {
          Optional<String> r = rs.next() ? Optional.of(JSON.createObjectNode().put("logId", logId)
              .put("nextSeq", rs.getLong(1)).put("covered", rs.getLong(2)).toString()) : Optional.empty();
          c.commit();
          return r;
        }
      }
    }
  }

  /**
   * Verifies and stores a batch shipped by {@code party}.
   *
   * @return accepted with {@code {"logId","nextSeq","covered","stored","duplicates"}}, or refused
   */
  public Result ingest(PartyId party, byte[] body) {
    return ingest(party, body, false);
  }

  /**
   * {@link #ingest}, for a batch from a source that does not authenticate the gateway (the Kafka
   * topic): taken only if its last record is covered by a checkpoint in it, so the signed Merkle
   * root and chain head vouch for every record; else refused {@code UNSIGNED_BATCH}. Checked on the
   * same parse as the rest of the batch.
   */
  public Result ingestCheckpointed(PartyId party, byte[] body) {
    return ingest(party, body, true);
  }

  private synchronized Result ingest(PartyId party, byte[] body, boolean checkpointedEnd) {
    Batch b;
    try {
      b = parse(body);
    } catch (Refusal r) {
      return r.result;
    }
    if (checkpointedEnd && !endsAtCheckpoint(b)) {
      return Result.refuse(422, "UNSIGNED_BATCH", "the batch does not end at a checkpoint (seq "
          + (b.firstSeq + b.records.size()) + "): records from Kafka are taken only under a signed checkpoint");
    }
    try {
      return store(party, b);
    } catch (Refusal r) {
      if (r.alertRule != null) {
        try {
          alerts.raise(r.alertRule, Alert.Severity.CRITICAL, "log " + b.logId + " of " + party,
              "events of " + party + " refused: " + r.result.detail(), List.of(b.logId + ":" + b.firstSeq));
        } catch (SQLException e) {
          // the refusal stands; the alert is lost with the database, which /readyz reports
        }
      }
      return r.result;
    } catch (SQLException e) {
      return Result.refuse(503, "DATABASE_UNAVAILABLE", "the events could not be stored; send them again later");
    }
  }

  /** Whether a checkpoint of the batch covers its last record (its tree size is the batch's end). */
  private static boolean endsAtCheckpoint(Batch b) {
    long end = b.firstSeq + b.records.size();
    for (Checkpoint cp : b.checkpoints) {
      if (cp.treeSize() == end) {
        return true;
      }
    }
    return false;
  }

  private static Batch parse(byte[] body) throws Refusal {
    JsonNode n;
    try {
      n = JSON.readTree(body);
    } catch (java.io.IOException e) {
      throw malformed("the body is not JSON");
    }
    if (n == null || !n.isObject()) {
      throw malformed("the body is not a JSON object");
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!MEMBERS.contains(f)) {
        throw malformed("unknown member '" + printable(f) + "'");
      }
    }
    String logId = text(n, "logId");
    if (!logId.matches("[0-9a-f]{32}")) {
      throw malformed("logId must be 32 lower-case hex digits");
    }
    HashAlgorithm hash;
    try {
      hash = HashAlgorithm.ofName(text(n, "hash"));
    } catch (IllegalArgumentException e) {
      throw malformed("hash must be SHA-256 or SM3");
    }
    JsonNode fs = n.get("firstSeq");
    if (fs == null || !fs.isIntegralNumber() || !fs.canConvertToLong() || fs.asLong() < 0) {
      throw malformed("firstSeq must be a sequence number (0 or more)");
    }
    JsonNode recs = n.get("records");
    if (recs == null || !recs.isArray()) {
      throw malformed("records must be an array of base64 record bodies");
    }
    if (recs.size() > MAX_RECORDS) {
      throw new Refusal(413, "BATCH_TOO_LARGE", "a batch holds at most " + MAX_RECORDS + " records", null);
    }
    List<byte[]> records = new ArrayList<>(recs.size());
    for (JsonNode r : recs) {
      if (!r.isTextual()) {
        throw malformed("records must be base64 strings");
      }
      try {
        records.add(Base64.getDecoder().decode(r.asText()));
      } catch (IllegalArgumentException e) {
        throw malformed("record " + records.size() + " is not base64");
      }
    }
    byte[] chainHead = null;
    if (n.hasNonNull("chainHead")) {
      try {
        chainHead = Base64.getDecoder().decode(text(n, "chainHead"));
      } catch (IllegalArgumentException e) {
        throw malformed("chainHead is not base64");
      }
    }
    List<Checkpoint> cps = new ArrayList<>();
    JsonNode cpn = n.get("checkpoints");
    if (cpn != null) {
      if (!cpn.isArray() || cpn.size() > MAX_CHECKPOINTS) {
        throw malformed("checkpoints must be an array of at most " + MAX_CHECKPOINTS + " checkpoint lines");
      }
      StringBuilder lines = new StringBuilder();
      for (JsonNode c : cpn) {
        if (!c.isTextual() || c.asText().indexOf('\n') >= 0) {
          throw malformed("checkpoints must be checkpoint lines (strings)");
        }
        lines.append(c.asText()).append('\n');
      }
      try {
        if (cpn.size() > 0) {
          cps.addAll(Checkpoint.fromJsonLines(lines.toString()));
        }
      } catch (AuditException e) {
        throw new Refusal(422, "CHECKPOINT_MALFORMED", "a checkpoint does not parse: " + e.getMessage(), null);
      }
    }
    List<PartyCertificate> certs = new ArrayList<>();
    if (n.hasNonNull("certificates")) {
      String pem = text(n, "certificates");
      if (pem.length() > MAX_CERT_PEM) {
        throw malformed("certificates: at most " + MAX_CERT_PEM + " characters of PEM");
      }
      try {
        certs.addAll(certificates(pem));
      } catch (KeyMaterialException e) {
        throw malformed("certificates do not parse as PEM certificates");
      }
    }
    return new Batch(logId, hash, fs.asLong(), records, chainHead, cps, certs);
  }

  /** The certificates of a PEM text, parsed once: the last text and what it parsed to. */
  private record ParsedPem(String pem, List<PartyCertificate> certificates) {}

  private static final java.util.concurrent.atomic.AtomicReference<@Nullable ParsedPem> LAST_PEM =
      new java.util.concurrent.atomic.AtomicReference<>();

  /**
   * {@link PartyCertificate#fromPem}, answered from the last text parsed when it is the same: a
   * shipper sends its writer's certificates with every batch (parsing them was about 2% of ingest).
   */
  private static List<PartyCertificate> certificates(String pem) throws KeyMaterialException {
    ParsedPem last = LAST_PEM.get();
    if (last != null && last.pem().equals(pem)) {
      return last.certificates();
    }
    List<PartyCertificate> certs = List.copyOf(PartyCertificate.fromPem(pem));
    LAST_PEM.set(new ParsedPem(pem, certs));
    return certs;
  }

  private Result store(PartyId party, Batch b) throws Refusal, SQLException {
    Instant now = clock.instant();
    try (Connection c = store.connection()) {
      try {
        Result r = store(c, party, b, now);
        c.commit();
        return r;
      } catch (Refusal | SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private Result store(Connection c, PartyId party, Batch b, Instant now) throws Refusal, SQLException {
    AuditStreamVerifier v;
    boolean known;
    long logNo = -1;
    try (PreparedStatement ps = c.prepareStatement("SELECT party, hash_algorithm, verifier_state, log_no FROM hub_event_logs"
        + " WHERE log_id = ?")) {
      ps.setString(1, b.logId);
      try (ResultSet rs = ps.executeQuery()) {
        known = rs.next();
        if (known) {
          if (!rs.getString(1).equals(party.toString())) {
            throw new Refusal(403, "NOT_OWN_LOG", "log " + b.logId + " belongs to another party", "foreign_log");
          }
          if (!rs.getString(2).equals(b.hash.displayName())) {
            throw new Refusal(409, "CHAIN_FORK", "log " + b.logId + " was shipped with " + rs.getString(2) + " before",
                "chain_fork");
          }
          v = AuditStreamVerifier.resume(b.logId, b.hash, rs.getBytes(3));
          logNo = rs.getLong(4);
        } else {
          v = AuditStreamVerifier.start(b.logId, b.hash);
        }
      }
    }
    long start = v.size();
    if (!known && b.firstSeq != 0) {
      throw new Refusal(409, "LOG_UNKNOWN", "log " + b.logId + " is new here: ship it from seq 0 with its tree-size-0"
          + " checkpoint", null);
    }
    long end = b.firstSeq + b.records.size();
    if (end > SEQ_LIMIT) {
      throw new Refusal(422, "LOG_TOO_LONG", "log " + b.logId + " reaches seq " + end + "; the hub keeps at most 2^"
          + SEQ_BITS + " records of one log (start a new log)", null);
    }
    if (b.firstSeq > start) {
      throw new Refusal(409, "SEQUENCE_GAP", "log " + b.logId + " continues at seq " + start + ", the batch starts at "
          + b.firstSeq + " (records missing)", "sequence_gap");
    }
    // records already here: the same bytes are a duplicate, other bytes a fork
    int dupCount = (int) Math.min(b.records.size(), start - b.firstSeq);
    if (dupCount > 0) {
      Map<Long, byte[]> stored = bodies(c, logNo, b.firstSeq, b.firstSeq + dupCount);
      for (int i = 0; i < dupCount; i++) {
        byte[] have = stored.get(b.firstSeq + i);
        if (have != null && !MessageDigest.isEqual(have, b.records.get(i))) {
          throw new Refusal(409, "CHAIN_FORK", "log " + b.logId + " seq " + (b.firstSeq + i)
              + " differs from the record received before (the log was rewritten)", "chain_fork");
        }
      }
    }
    CheckpointTrust signers;
    try {
      signers = CheckpointTrust.city(trust.trust(), party);
    } catch (TrustException e) {
      return Result.refuse(503, "TRUST_UNAVAILABLE", "the hub holds no valid city bundle to check signatures with");
    }
    List<Checkpoint> cps = new ArrayList<>(b.checkpoints);
    cps.sort(Comparator.comparingLong(Checkpoint::treeSize));
    List<Checkpoint> accepted = new ArrayList<>();
    int next = 0;
    for (; next < cps.size() && cps.get(next).treeSize() < start; next++) {
      Checkpoint cp = cps.get(next);
      String line = storedCheckpoint(c, b.logId, cp.treeSize());
      if (line == null || !line.equals(cp.toJsonLine())) {
        throw new Refusal(409, "CHECKPOINT_OUT_OF_ORDER", "checkpoint at tree size " + cp.treeSize()
            + " comes after the records it covers were stored; ship checkpoints with their records", null);
      }
    }
    if (!known && (next >= cps.size() || cps.get(next).treeSize() != 0)) {
      throw new Refusal(422, "CHECKPOINT_MISSING", "a new log's first batch must carry its tree-size-0 checkpoint,"
          + " which binds the log to its operator", null);
    }
    if (!known) {
      logNo = insertLog(c, party, b, v, now);
    }
    List<AuditEntry> entries = new ArrayList<>();
    try {
      next = checkpointsAt(v, cps, next, signers, b.certificates, accepted);
      for (int i = dupCount; i < b.records.size(); i++) {
        entries.add(v.append(b.records.get(i)));
        next = checkpointsAt(v, cps, next, signers, b.certificates, accepted);
      }
      if (next < cps.size()) {
        throw new Refusal(422, "CHECKPOINT_BEYOND_BATCH", "checkpoint at tree size " + cps.get(next).treeSize()
            + " lies past the batch's last record (seq " + (end - 1) + ")", null);
      }
      if (b.chainHead != null && end == v.size()) {
        v.expectChainHead(b.chainHead);
      }
    } catch (AuditException e) {
      switch (e.reason()) {
        case UNTRUSTED_SIGNER:
        case PROOF_INVALID:
          throw new Refusal(422, "CHECKPOINT_SIGNATURE_INVALID", e.getMessage(), "bad_checkpoint_signature");
        case UNSUPPORTED_VERSION:
          throw new Refusal(422, "RECORD_UNSUPPORTED", e.getMessage(), null);
        default:
          throw new Refusal(409, "CHAIN_FORK", e.getMessage(), "chain_fork");
      }
    }
    for (Checkpoint cp : accepted) {
      if (storedCheckpoint(c, b.logId, cp.treeSize()) == null) {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO hub_event_checkpoints (log_id, tree_size, line)"
            + " VALUES (?, ?, ?)")) {
          ps.setString(1, b.logId);
          ps.setLong(2, cp.treeSize());
          ps.setString(3, cp.toJsonLine());
          ps.executeUpdate();
        }
      }
    }
    insertEvents(c, logNo, entries, b.records.subList(dupCount, b.records.size()));
    if (!entries.isEmpty()) {
      // V5_3: the batch's earliest and latest event_time, by which the console finds events by time
      Instant first = entries.get(0).record().time();
      Instant last = first;
      for (AuditEntry e : entries) {
        Instant t = e.record().time();
        first = t.isBefore(first) ? t : first;
        last = t.isAfter(last) ? t : last;
      }
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO hub_event_batches (log_no, first_seq, end_seq,"
          + " received_at, first_time, last_time) VALUES (?, ?, ?, ?, ?, ?)")) {
        ps.setLong(1, logNo);
        ps.setLong(2, entries.get(0).seq());
        ps.setLong(3, v.size());
        ps.setTimestamp(4, Timestamp.from(now));
        ps.setTimestamp(5, columnTime(first));
        ps.setTimestamp(6, columnTime(last));
        ps.executeUpdate();
      }
    }
    try (PreparedStatement ps = c.prepareStatement("UPDATE hub_event_logs SET next_seq = ?, covered = ?,"
        + " verifier_state = ?, last_seen = ? WHERE log_id = ?")) {
      ps.setLong(1, v.size());
      ps.setLong(2, v.coveredRecords());
      ps.setBytes(3, v.state());
      ps.setTimestamp(4, Timestamp.from(now));
      ps.setString(5, b.logId);
      ps.executeUpdate();
    }
    String body = JSON.createObjectNode().put("logId", b.logId).put("nextSeq", v.size()).put("covered", v.coveredRecords())
        .put("stored", entries.size()).put("duplicates", dupCount).toString();
    if (!entries.isEmpty()) {
      Consumer<Listener> call = l -> l.stored(party, b.logId, List.copyOf(entries));
      listeners.forEach(call);
    }
    return Result.ok(body);
  }

  /** Adds a new log's row (its state is updated at the end of the batch) and returns its number. */
  private static long insertLog(Connection c, PartyId party, Batch b, AuditStreamVerifier v, Instant now)
      throws SQLException, Refusal {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO hub_event_logs (log_id, party, hash_algorithm,"
        + " next_seq, covered, verifier_state, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, b.logId);
      ps.setString(2, party.toString());
      ps.setString(3, b.hash.displayName());
      ps.setLong(4, v.size());
      ps.setLong(5, v.coveredRecords());
      ps.setBytes(6, v.state());
      ps.setTimestamp(7, Timestamp.from(now));
      ps.setTimestamp(8, Timestamp.from(now));
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT log_no FROM hub_event_logs WHERE log_id = ?")) {
      ps.setString(1, b.logId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("the new log's row is missing");
        }
        long no = rs.getLong(1);
        if (no < 0 || no >= LOG_NO_LIMIT) {
          throw new Refusal(507, "COLLECTOR_FULL", "the hub has numbered " + LOG_NO_LIMIT + " logs, its limit", null);
        }
        return no;
      }
    }
  }

  private static long eventKey(long logNo, long seq) {
    return (logNo << SEQ_BITS) | seq;
  }

  private static int checkpointsAt(AuditStreamVerifier v, List<Checkpoint> cps, int next, CheckpointTrust signers,
      List<PartyCertificate> certs, List<Checkpoint> accepted) throws AuditException {
    while (next < cps.size() && cps.get(next).treeSize() == v.size()) {
      Checkpoint cp = cps.get(next++);
      if (!accepted.isEmpty() && accepted.get(accepted.size() - 1).equals(cp)) {
        continue; // the same line twice
      }
      v.checkpoint(cp, signers, certs);
      accepted.add(cp);
    }
    return next;
  }

  private static @Nullable String storedCheckpoint(Connection c, String logId, long size) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT line FROM hub_event_checkpoints WHERE log_id = ? AND tree_size = ?")) {
      ps.setString(1, logId);
      ps.setLong(2, size);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** The stored bytes of the records [from, to) of log {@code logNo} still held (retention may have purged some). */
  private static Map<Long, byte[]> bodies(Connection c, long logNo, long from, long to) throws SQLException {
    Map<Long, byte[]> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT event_key, body FROM hub_events WHERE event_key >= ?"
        + " AND event_key < ?")) {
      ps.setLong(1, eventKey(logNo, from));
      ps.setLong(2, eventKey(logNo, to));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getLong(1) & (SEQ_LIMIT - 1), rs.getBytes(2));
        }
      }
    }
    return out;
  }

  /**
   * Event rows per INSERT statement: one multi-row INSERT per 100 rows, not one statement per row
   * (H2 starts and ends a statement per row of a JDBC batch; 11 parameters a row, 1,100 a statement,
   * far below PostgreSQL's 32,767).
   */
  static final int ROWS_PER_INSERT = 100;
  private static final String EVENT_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String INSERT_EVENTS = "INSERT INTO hub_events (event_key, event_time, direction, effect, status,"
      + " envelope_id, sender, receiver, resource, grant_id, body) VALUES ";
  private static final String INSERT_FULL = insertSql(ROWS_PER_INSERT);

  private static String insertSql(int rows) {
    return INSERT_EVENTS + String.join(", ", java.util.Collections.nCopies(rows, EVENT_ROW));
  }

  /**
   * Stores the verified records (V5_2: the columns the hub queries and the record's bytes; see the
   * migration), {@link #ROWS_PER_INSERT} to a statement, the full statements as one JDBC batch. The
   * text columns and event_time hold stand-ins where the database could not hold the value
   * ({@link #column}, {@link #columnTime}); body keeps it exactly.
   */
  private static void insertEvents(Connection c, long logNo, List<AuditEntry> entries, List<byte[]> bodies)
      throws SQLException {
    int full = entries.size() / ROWS_PER_INSERT;
    if (full > 0) {
      try (PreparedStatement ps = c.prepareStatement(INSERT_FULL)) {
        for (int k = 0; k < full; k++) {
          bindRows(ps, logNo, entries, bodies, k * ROWS_PER_INSERT, ROWS_PER_INSERT);
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
    int rest = entries.size() - full * ROWS_PER_INSERT;
    if (rest > 0) {
      try (PreparedStatement ps = c.prepareStatement(insertSql(rest))) {
        bindRows(ps, logNo, entries, bodies, full * ROWS_PER_INSERT, rest);
        ps.executeUpdate();
      }
    }
  }

  /** Binds the rows [from, from + rows) of {@code entries} to the parameters of a multi-row INSERT. */
  private static void bindRows(PreparedStatement ps, long logNo, List<AuditEntry> entries, List<byte[]> bodies, int from,
      int rows) throws SQLException {
    int p = 0;
    for (int i = from; i < from + rows; i++) {
      AuditEntry e = entries.get(i);
      AuditRecord r = e.record();
      ps.setLong(++p, eventKey(logNo, e.seq()));
      ps.setTimestamp(++p, columnTime(r.time()));
      ps.setString(++p, r.direction().name());
      ps.setString(++p, r.decision().effect().name());
      ps.setInt(++p, r.status());
      ps.setString(++p, column(r.envelopeId()));
      ps.setString(++p, column(r.sender()));
      ps.setString(++p, column(r.receiver()));
      ps.setString(++p, column(r.resource()));
      ps.setString(++p, column(r.grantId()));
      ps.setBytes(++p, bodies.get(i));
    }
  }

  /** The earliest and latest event_time stored (years 1 and 9999; PostgreSQL holds 4713 BC to 294276). */
  private static final Instant MIN_COLUMN_TIME = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant MAX_COLUMN_TIME = Instant.parse("9999-12-31T23:59:59.999999Z");

  /** A record's time as the event_time column holds it: clamped to years 1..9999. */
  static Timestamp columnTime(Instant t) {
    Instant c = t.isBefore(MIN_COLUMN_TIME) ? MIN_COLUMN_TIME : t.isAfter(MAX_COLUMN_TIME) ? MAX_COLUMN_TIME : t;
    return Timestamp.from(c);
  }

  /** The width of the text columns of hub_events. */
  private static final int COLUMN_CHARS = 256;

  /**
   * A record's text as a query column holds it: at most 256 characters (a surrogate pair is not
   * cut), NUL replaced by U+FFFD (PostgreSQL's text cannot hold NUL; H2 gets the same value).
   */
  static String column(String s) {
    String t = s;
    if (t.length() > COLUMN_CHARS) {
      int end = Character.isHighSurrogate(t.charAt(COLUMN_CHARS - 1)) ? COLUMN_CHARS - 1 : COLUMN_CHARS;
      t = t.substring(0, end);
    }
    return t.indexOf('\u0000') < 0 ? t : t.replace('\u0000', '\uFFFD');
  }

  /** The consumer-resource pairs of the permitted requests stored, as {@code consumer|resource}. */
  public Set<String> knownPairs() throws SQLException {
    Set<String> out = new java.util.HashSet<>();
    try (Connection c = store.connection()) {
      try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT sender, resource FROM hub_events WHERE effect = 'PERMIT'"
          + " AND direction IN ('REQUEST_IN', 'REQUEST_OUT')"); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1) + "|" + rs.getString(2));
        }
      }
      c.commit();
    }
    return out;
  }

  /**
   * The permitted requests stored per grant id, as the provider gateways recorded them
   * ({@code REQUEST_IN}): how often each grant has been used so far.
   */
  public Map<String, Long> grantUses() throws SQLException {
    Map<String, Long> out = new java.util.HashMap<>();
    try (Connection c = store.connection()) {
      try (PreparedStatement ps = c.prepareStatement("SELECT grant_id, COUNT(*) FROM hub_events WHERE grant_id <> ''"
          + " AND effect = 'PERMIT' AND direction = 'REQUEST_IN' GROUP BY grant_id"); ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getLong(2));
        }
      }
      c.commit();
    }
    return out;
  }

  /** Every party whose logs the collector knows, with the last time its gateway shipped (any of its logs). */
  public List<io.shulian.hub.alert.Rules.LogContact> contacts() throws SQLException {
    List<io.shulian.hub.alert.Rules.LogContact> out = new ArrayList<>();
    try (Connection c = store.connection()) {
      try (PreparedStatement ps = c.prepareStatement("SELECT MAX(log_id), party, MAX(last_seen) FROM hub_event_logs GROUP BY party");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new io.shulian.hub.alert.Rules.LogContact(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()));
        }
      }
      c.commit();
    }
    return out;
  }

  /**
   * Deletes events received before {@code before} (the retention setting); logs, checkpoints and
   * alerts stay.
   *
   * @return how many were deleted
   */
  public int purge(Instant before) throws SQLException {
    try (Connection c = store.connection()) {
      try {
        int n = 0;
        // by the batches' key ranges (received_at is not indexed per event)
        try (PreparedStatement ps = c.prepareStatement("SELECT log_no, first_seq, end_seq FROM hub_event_batches"
            + " WHERE received_at < ?"); PreparedStatement del = c.prepareStatement("DELETE FROM hub_events"
            + " WHERE event_key >= ? AND event_key < ?")) {
          ps.setTimestamp(1, Timestamp.from(before));
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              del.setLong(1, eventKey(rs.getLong(1), rs.getLong(2)));
              del.setLong(2, eventKey(rs.getLong(1), rs.getLong(3)));
              n += del.executeUpdate();
            }
          }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM hub_event_batches WHERE received_at < ?")) {
          ps.setTimestamp(1, Timestamp.from(before));
          ps.executeUpdate();
        }
        c.commit();
        return n;
      } catch (SQLException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private static Refusal malformed(String detail) {
    return new Refusal(400, "MALFORMED_BATCH", detail, null);
  }

  private static String text(JsonNode n, String field) throws Refusal {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw malformed(field + " must be a string");
    }
    return v.asText();
  }

  private static String printable(String s) {
    String t = s.length() > 40 ? s.substring(0, 40) : s;
    return t.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
