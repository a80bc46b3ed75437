package io.shulian.hub.apply;

import io.shulian.hub.audit.AuditUnavailableException;
import io.shulian.hub.store.HubStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The tables of migration V3 ({@code hub_applications}, {@code hub_objections}) over the hub's
 * database. Every change is one transaction; a transition out of {@code SUBMITTED} is a
 * compare-and-set on the state, so two answers racing for one case cannot both win.
 *
 * <p>Thread-safe.
 */
public final class CaseStore {
  /** A sharing application as stored. Fields are kept in the order applied for. */
  public record Application(String id, String consumer, String provider, String resource, String purpose,
      List<String> fields, Instant from, Instant until, String legalBasis, long maxUses, CaseState state,
      Instant submittedAt, @Nullable Instant answeredAt, @Nullable String answerReason, @Nullable String grantId,
      @Nullable String grantToken) {
    public Application {
      fields = List.copyOf(fields);
    }
  }

  /** A data objection as stored. */
  public record Objection(String id, String consumer, String provider, String resource, String record,
      String description, CaseState state, Instant submittedAt, @Nullable Instant answeredAt,
      @Nullable String answerReason) {}

  private static final String APP_COLUMNS = "id, consumer, provider, resource, purpose, fields, valid_from, valid_until, "
      + "legal_basis, max_uses, state, submitted_at, answered_at, answer_reason, grant_id, grant_token";
  private static final String OBJ_COLUMNS = "id, consumer, provider, resource, record_ref, description, state, "
      + "submitted_at, answered_at, answer_reason";

  private final HubStore db;

  public CaseStore(HubStore db) {
    this.db = db;
  }

  /**
   * Stores a new application; {@code beforeCommit} runs in the same transaction, last (the audit record).
   *
   * @throws AuditUnavailableException if {@code beforeCommit} could not audit it: nothing was stored
   */
  public void insert(Application a, HubStore.@Nullable InTransaction beforeCommit) throws SQLException, AuditUnavailableException {
    try (Connection c = db.connection()) {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO hub_applications (" + APP_COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, a.id());
        ps.setString(2, a.consumer());
        ps.setString(3, a.provider());
        ps.setString(4, a.resource());
        ps.setString(5, a.purpose());
        ps.setString(6, String.join("\n", a.fields()));
        ps.setTimestamp(7, Timestamp.from(a.from()));
        ps.setTimestamp(8, Timestamp.from(a.until()));
        ps.setString(9, a.legalBasis());
        ps.setLong(10, a.maxUses());
        ps.setString(11, a.state().name());
        ps.setTimestamp(12, Timestamp.from(a.submittedAt()));
        ps.setTimestamp(13, null);
        ps.setString(14, null);
        ps.setString(15, null);
        ps.setString(16, null);
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

  /** Stores a new objection; {@code beforeCommit} as for an application. */
  public void insert(Objection o, HubStore.@Nullable InTransaction beforeCommit) throws SQLException, AuditUnavailableException {
    try (Connection c = db.connection()) {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO hub_objections (" + OBJ_COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, o.id());
        ps.setString(2, o.consumer());
        ps.setString(3, o.provider());
        ps.setString(4, o.resource());
        ps.setString(5, o.record());
        ps.setString(6, o.description());
        ps.setString(7, o.state().name());
        ps.setTimestamp(8, Timestamp.from(o.submittedAt()));
        ps.setTimestamp(9, null);
        ps.setString(10, null);
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

  public Optional<Application> application(String id) throws SQLException {
    List<Application> l = applications("id = ?", 0, id);
    return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
  }

  /** The application whose approval issued the grant {@code grantId}, if the hub issued it. */
  public Optional<Application> applicationByGrant(String grantId) throws SQLException {
    List<Application> l = applications("grant_id = ?", 1, grantId);
    return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
  }

  public Optional<Objection> objection(String id) throws SQLException {
    List<Objection> l = objections("id = ?", 0, id);
    return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
  }

  /** Applications {@code party} filed or that are addressed to it, oldest first. */
  public List<Application> applicationsOf(String party) throws SQLException {
    return applications("consumer = ? OR provider = ?", 0, party, party);
  }

  /** Objections {@code party} filed or that are addressed to it, oldest first. */
  public List<Objection> objectionsOf(String party) throws SQLException {
    return objections("consumer = ? OR provider = ?", 0, party, party);
  }

  /** The oldest {@code limit} applications in {@code state} (any state if null), of every party. */
  public List<Application> applicationsIn(@Nullable CaseState state, int limit) throws SQLException {
    return state == null ? applications("1 = 1", limit) : applications("state = ?", limit, state.name());
  }

  /** The oldest {@code limit} objections in {@code state} (any state if null), of every party. */
  public List<Objection> objectionsIn(@Nullable CaseState state, int limit) throws SQLException {
    return state == null ? objections("1 = 1", limit) : objections("state = ?", limit, state.name());
  }

  /** How many cases of {@code kind} are still submitted since before {@code before}. */
  public long countSubmittedBefore(CaseState.Kind kind, Instant before) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table(kind)
            + " WHERE state = 'SUBMITTED' AND submitted_at < ?")) {
      ps.setTimestamp(1, Timestamp.from(before));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long n = rs.getLong(1);
        c.commit();
        return n;
      }
    }
  }

  /**
   * Moves a case from {@code SUBMITTED} to {@code next} if it is still submitted.
   *
   * {@code beforeCommit} runs in the same transaction, last, only when the case moved.
   *
   * @return false if it was not (already answered, withdrawn or expired): nothing changed then
   * @throws AuditUnavailableException if {@code beforeCommit} could not audit it: nothing changed
   */
  public boolean answer(CaseState.Kind kind, String id, CaseState next, Instant at, @Nullable String reason,
      @Nullable String grantId, @Nullable String grantToken, HubStore.@Nullable InTransaction beforeCommit)
      throws SQLException, AuditUnavailableException {
    boolean app = kind == CaseState.Kind.APPLICATION;
    try (Connection c = db.connection()) {
      try (PreparedStatement ps = c.prepareStatement("UPDATE " + table(kind)
          + " SET state = ?, answered_at = ?, answer_reason = ?" + (app ? ", grant_id = ?, grant_token = ?" : "")
          + " WHERE id = ? AND state = 'SUBMITTED'")) {
        ps.setString(1, next.name());
        ps.setTimestamp(2, Timestamp.from(at));
        ps.setString(3, reason);
        int i = 4;
        if (app) {
          ps.setString(i++, grantId);
          ps.setString(i++, grantToken);
        }
        ps.setString(i, id);
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
      } catch (SQLException e) {
        c.rollback();
        if ("40001".equals(e.getSQLState())) {
          return false;
        }
        throw e;
      } catch (AuditUnavailableException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private static String table(CaseState.Kind kind) {
    return kind == CaseState.Kind.APPLICATION ? "hub_applications" : "hub_objections";
  }

  /** Rows matching {@code where}, oldest first; at most {@code limit} (0: all). */
  private List<Application> applications(String where, int limit, String... args) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement("SELECT " + APP_COLUMNS + " FROM hub_applications WHERE " + where
            + " ORDER BY submitted_at, id" + (limit > 0 ? " FETCH FIRST " + limit + " ROWS ONLY" : ""))) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      List<Application> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Application(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
              Arrays.asList(rs.getString(6).split("\n", -1)), instant(rs, 7), instant(rs, 8), rs.getString(9),
              rs.getLong(10), CaseState.valueOf(rs.getString(11)), instant(rs, 12), nullableInstant(rs, 13),
              rs.getString(14), rs.getString(15), rs.getString(16)));
        }
      }
      c.commit();
      return out;
    }
  }

  private List<Objection> objections(String where, int limit, String... args) throws SQLException {
    try (Connection c = db.connection();
        PreparedStatement ps = c.prepareStatement("SELECT " + OBJ_COLUMNS + " FROM hub_objections WHERE " + where
            + " ORDER BY submitted_at, id" + (limit > 0 ? " FETCH FIRST " + limit + " ROWS ONLY" : ""))) {
      for (int i = 0; i < args.length; i++) {
        ps.setString(i + 1, args[i]);
      }
      List<Objection> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Objection(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
              rs.getString(6), CaseState.valueOf(rs.getString(7)), instant(rs, 8), nullableInstant(rs, 9),
              rs.getString(10)));
        }
      }
      c.commit();
      return out;
    }
  }

  private static Instant instant(ResultSet rs, int col) throws SQLException {
    return rs.getTimestamp(col).toInstant();
  }

  private static @Nullable Instant nullableInstant(ResultSet rs, int col) throws SQLException {
    Timestamp t = rs.getTimestamp(col);
    return t == null ? null : t.toInstant();
  }
}
