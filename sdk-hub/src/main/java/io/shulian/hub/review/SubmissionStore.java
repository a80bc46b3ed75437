package io.shulian.hub.review;

import io.shulian.core.catalog.CatalogSubmission;
import io.shulian.hub.store.HubStore;
import io.shulian.hub.audit.AuditUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The table of migration V4 ({@code hub_submissions}) over the hub's database. Every change is one
 * transaction; leaving {@link State#PENDING} is a compare-and-set on the state, so an approval and a
 * rejection racing for one submission cannot both win. Thread-safe.
 */
public final class SubmissionStore {
  /** Where a submission is: pending until approved or rejected; a final state is never left. */
  public enum State {
    PENDING,
    APPROVED,
    REJECTED;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * A submission as stored.
   *
   * @param baseVersion the newest bundle version when it was submitted
   * @param baseHash {@code Catalog.resourceHash} of the resource in that bundle's catalog, "" if it had none
   */
  public record Submission(String id, String tokenId, String party, CatalogSubmission.Action action, String resource,
      @Nullable String document, String token, String suite, long baseVersion, String baseHash, State state, Instant submittedAt,
      @Nullable Instant decidedAt, @Nullable String decidedBy, @Nullable String reason, @Nullable Long bundleVersion) {}

  private static final String COLUMNS = "id, token_id, party, action, resource, document, token, suite, base_version, base_hash,"
      + " state, submitted_at, decided_at, decided_by, reason, bundle_version";

  private final HubStore db;

  public SubmissionStore(HubStore db) {
    this.db = db;
  }

  /**
   * Stores a new pending submission.
   *
   * @throws SQLException if the database fails, or (SQL state 23505) the same signed token was stored before
   */
  public void insert(Submission s, HubStore.@Nullable InTransaction beforeCommit) throws SQLException, AuditUnavailableException {
    try (Connection c = db.connection()) {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO hub_submissions (" + COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)")) {
        ps.setString(1, s.id());
        ps.setString(2, s.tokenId());
        ps.setString(3, s.party());
        ps.setString(4, s.action().name());
        ps.setString(5, s.resource());
        ps.setString(6, s.document());
        ps.setString(7, s.token());
        ps.setString(8, s.suite());
        ps.setLong(9, s.baseVersion());
        ps.setString(10, s.baseHash());
        ps.setString(11, s.state().name());
        ps.setTimestamp(12, Timestamp.from(s.submittedAt()));
        ps.executeUpdate();
        if (beforeCommit != null) {
          beforeCommit.run(c);
        }
        c.commit();
      } catch (SQLException | AuditUnavailableException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  public Optional<Submission> get(String id) throws SQLException {
    List<Submission> l = select("WHERE id = ?", 1, id);
    return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
  }

  /** The submissions of {@code party}, newest first (at most {@code limit}). */
  public List<Submission> ofParty(String party, int limit) throws SQLException {
    return select("WHERE party = ? ORDER BY submitted_at DESC, id", limit, party);
  }

  /** All submissions, pending first, then newest first (at most {@code limit}). */
  public List<Submission> recent(int limit) throws SQLException {
    return select("ORDER BY CASE WHEN state = 'PENDING' THEN 0 ELSE 1 END, submitted_at DESC, id", limit);
  }

  /**
   * Rejects a pending submission.
   *
   * @return false if it was not pending (nothing changed then)
   */
  public boolean reject(String id, String by, Instant at, String reason, HubStore.@Nullable InTransaction beforeCommit)
      throws SQLException, AuditUnavailableException {
    try (Connection c = db.connection()) {
      try (PreparedStatement ps = c.prepareStatement("UPDATE hub_submissions SET state = 'REJECTED', decided_at = ?,"
          + " decided_by = ?, reason = ? WHERE id = ? AND state = 'PENDING'")) {
        ps.setTimestamp(1, Timestamp.from(at));
        ps.setString(2, by);
        ps.setString(3, reason);
        ps.setString(4, id);
        int n = ps.executeUpdate();
        if (n != 1) {
          c.rollback();
          return false;
        }
        if (beforeCommit != null) {
          beforeCommit.run(c);
        }
        c.commit();
        return true;
      } catch (SQLException | AuditUnavailableException | RuntimeException e) {
        c.rollback();
        if (e instanceof SQLException && "40001".equals(((SQLException) e).getSQLState())) {
          return false;
        }
        throw e;
      }
    }
  }

  /**
   * Marks a pending submission approved inside a publish's transaction ({@code c}).
   *
   * @throws SQLException (SQL state 40001) if it was no longer pending: the publish is rolled back
   */
  public static void approve(Connection c, String id, String by, Instant at, long version) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE hub_submissions SET state = 'APPROVED', decided_at = ?,"
        + " decided_by = ?, bundle_version = ? WHERE id = ? AND state = 'PENDING'")) {
      ps.setTimestamp(1, Timestamp.from(at));
      ps.setString(2, by);
      ps.setLong(3, version);
      ps.setString(4, id);
      if (ps.executeUpdate() != 1) {
        throw new SQLException("submission " + id + " is no longer pending", "40001");
      }
    }
  }

  private List<Submission> select(String where, int limit, String... args) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM hub_submissions " + where
            + " FETCH FIRST " + Math.max(1, limit) + " ROWS ONLY")) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      List<Submission> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Timestamp decided = rs.getTimestamp(13);
          long bv = rs.getLong(16);
          Long bundleVersion = rs.wasNull() ? null : bv;
          out.add(new Submission(rs.getString(1), rs.getString(2), rs.getString(3),
              CatalogSubmission.Action.valueOf(rs.getString(4)), rs.getString(5), rs.getString(6), rs.getString(7),
              rs.getString(8), rs.getLong(9), rs.getString(10), State.valueOf(rs.getString(11)),
              rs.getTimestamp(12).toInstant(), decided == null ? null : decided.toInstant(), rs.getString(14),
              rs.getString(15), bundleVersion));
        }
      }
      c.commit();
      return out;
    }
  }
}
