package io.shulian.hub.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.shulian.core.keys.Suite;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.flywaydb.core.Flyway;

/**
 * The hub's database: a Hikari connection pool over H2 (embedded, file mode, the default) or
 * PostgreSQL (a JDBC URL), migrated with Flyway on open ({@code db/migration}). Every change is one
 * transaction: a bundle is either stored whole with its version or not at all, so a hub killed
 * during a publish never serves a half-written bundle after restart.
 *
 * <p>Thread-safe.
 */
public final class HubStore implements AutoCloseable {
  /** The outcome of {@link #publish}. */
  public enum PublishResult {
    PUBLISHED,
    /** A bundle of this suite with an equal or higher version is already published. */
    NOT_NEWER
  }

  static {
    // H2 keeps one JVM-wide cache of recent values (h2.objectCache): every string bound to a statement
    // is hashed and compared with a cache slot, which was ~7% of the collector's ingest CPU (each event
    // binds five fresh strings) for no gain to the hub, whose rows go to disk. Off unless the operator
    // set it (-Dh2.objectCache=true); H2 reads it once, so it is set before the driver loads.
    if (System.getProperty("h2.objectCache") == null) {
      System.setProperty("h2.objectCache", "false");
    }
  }

  private final HikariDataSource pool;

  private HubStore(HikariDataSource pool) {
    this.pool = pool;
  }

  /** Returns the JDBC URL of the embedded H2 database in {@code dataDir}. */
  public static String h2Url(Path dataDir) {
    // file mode; the database closes with the pool, not with the JVM's shutdown hook (the hub
    // closes its pool itself, after its last request). WRITE_DELAY=0: a commit is written to the
    // file before it returns (H2's default buffers commits for up to 500 ms, which a kill -9 loses
    // although the hub had already answered and long-polls had served the bundle)
    return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("hub").toString().replace('\\', '/')
        + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
  }

  /**
   * Opens the database at {@code jdbcUrl} (H2 or PostgreSQL) and migrates it to the newest schema.
   *
   * @param user the database user, or null to use none (H2 default) / the URL's
   * @param password the password, or null
   * @throws SQLException if it cannot be reached or migrated (nothing is served then)
   */
  public static HubStore open(String jdbcUrl, @org.jspecify.annotations.Nullable String user,
      @org.jspecify.annotations.Nullable String password, int maxConnections) throws SQLException {
    if (!jdbcUrl.startsWith("jdbc:h2:") && !jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("hub database URL must start with jdbc:h2: or jdbc:postgresql:");
    }
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(jdbcUrl);
    if (jdbcUrl.startsWith("jdbc:postgresql:") && !jdbcUrl.toLowerCase(Locale.ROOT).contains("rewritebatchedinserts")) {
      // the collector's statement batches as multi-row INSERTs (one round trip per 128 rows, not per row)
      hc.addDataSourceProperty("reWriteBatchedInserts", "true");
    }
    if (user != null) {
      hc.setUsername(user);
    }
    if (password != null) {
      hc.setPassword(password);
    }
    hc.setMaximumPoolSize(maxConnections);
    hc.setPoolName("shulian-hub");
    hc.setAutoCommit(false);
    hc.setTransactionIsolation("TRANSACTION_SERIALIZABLE");
    hc.setConnectionTimeout(Duration.ofSeconds(5).toMillis());
    // a database that is down fails open() here, not the first request
    hc.setInitializationFailTimeout(Duration.ofSeconds(5).toMillis());
    HikariDataSource ds;
    try {
      ds = new HikariDataSource(hc);
    } catch (RuntimeException e) {
      throw new SQLException("cannot open the hub database: " + rootMessage(e), e);
    }
    try {
      Flyway.configure(HubStore.class.getClassLoader())
          .dataSource(ds)
          .locations("classpath:db/migration")
          .failOnMissingLocations(true)
          .load()
          .migrate();
    } catch (RuntimeException e) {
      ds.close();
      throw new SQLException("cannot migrate the hub database: " + rootMessage(e), e);
    }
    return new HubStore(ds);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage());
  }

  /** The suite's name in URLs and the database: {@code intl} or {@code gm}. */
  public static String suiteName(Suite suite) {
    return suite.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Stores {@code bundle} as version {@code version} of {@code suite} if it is newer than every
   * published one, in one transaction. The caller has verified the bundle.
   *
   * @throws SQLException if the database fails; nothing was stored then
   */
  public PublishResult publish(Suite suite, long version, byte[] bundle, String publishedBy, Instant at)
      throws SQLException, io.shulian.hub.audit.AuditUnavailableException {
    return publish(suite, version, bundle, publishedBy, at, null);
  }

  /** More changes committed in the same transaction as a bundle version (an incident action's row). */
  @FunctionalInterface
  public interface InTransaction {
    void run(Connection c) throws SQLException, io.shulian.hub.audit.AuditUnavailableException;
  }

  /**
   * As {@link #publish(Suite, long, byte[], String, Instant)}, and runs {@code alongside} in the
   * same transaction: both are committed or neither.
   *
   * @throws SQLException if the database or {@code alongside} fails; nothing was stored then
   * @throws io.shulian.hub.audit.AuditUnavailableException if {@code alongside} could not audit the
   *     change; nothing was stored then
   */
  public PublishResult publish(Suite suite, long version, byte[] bundle, String publishedBy, Instant at,
      @org.jspecify.annotations.Nullable InTransaction alongside) throws SQLException, io.shulian.hub.audit.AuditUnavailableException {
    String sha = sha256Hex(bundle);
    try (Connection c = pool.getConnection()) {
      try {
        long newest = newestVersion(c, suite);
        if (version <= newest) {
          c.rollback();
          return PublishResult.NOT_NEWER;
        }
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO bundle_versions (suite, version, bytes, sha256, published_at, published_by) VALUES (?, ?, ?, ?, ?, ?)")) {
          ps.setString(1, suiteName(suite));
          ps.setLong(2, version);
          ps.setBytes(3, bundle);
          ps.setString(4, sha);
          ps.setTimestamp(5, Timestamp.from(at));
          ps.setString(6, publishedBy);
          ps.executeUpdate();
        }
        if (alongside != null) {
          alongside.run(c);
        }
        c.commit();
        return PublishResult.PUBLISHED;
      } catch (SQLException e) {
        c.rollback();
        // a concurrent publisher won the race for this version (primary key): not newer any more
        if ("23505".equals(e.getSQLState()) || "40001".equals(e.getSQLState())) {
          return PublishResult.NOT_NEWER;
        }
        throw e;
      } catch (io.shulian.hub.audit.AuditUnavailableException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private static long newestVersion(Connection c, Suite suite) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT MAX(version) FROM bundle_versions WHERE suite = ?")) {
      ps.setString(1, suiteName(suite));
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        long v = rs.getLong(1);
        return rs.wasNull() ? 0 : v;
      }
    }
  }

  /**
   * Returns the newest published bundle of {@code suite}, or empty if none is.
   *
   * @throws SQLException if the database fails
   */
  public Optional<PublishedBundle> newest(Suite suite) throws SQLException {
    try (Connection c = pool.getConnection()) {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT version, bytes, sha256, published_at, published_by FROM bundle_versions WHERE suite = ?"
              + " ORDER BY version DESC FETCH FIRST 1 ROWS ONLY")) {
        ps.setString(1, suiteName(suite));
        try (ResultSet rs = ps.executeQuery()) {
          Optional<PublishedBundle> r = Optional.empty();
          if (rs.next()) {
            byte[] b = rs.getBytes(2);
            String sha = rs.getString(3);
            // what was stored is what is served: a row whose bytes do not match its hash is damage
            if (!sha256Hex(b).equals(sha)) {
              throw new SQLException("bundle_versions " + suiteName(suite) + " v" + rs.getLong(1)
                  + ": stored bytes do not match their SHA-256");
            }
            r = Optional.of(new PublishedBundle(suite, rs.getLong(1), b, sha, rs.getTimestamp(4).toInstant(),
                rs.getString(5)));
          }
          c.commit();
          return r;
        }
      }
    }
  }

  /**
   * Returns a pooled connection (auto-commit off, serializable) for the hub's other tables; the
   * caller commits or rolls back and closes it.
   *
   * @throws SQLException if the database cannot be reached
   */
  public Connection connection() throws SQLException {
    return pool.getConnection();
  }

  // ---- incident actions -----------------------------------------------------------------

  private static final String ACTION_COLUMNS = "id, kind, target, reason, requested_by, created_at, suite, bundle_version,"
      + " lifted_at, lifted_by, lifted_bundle_version, lift_reason";

  /**
   * Inserts an action in force since bundle {@code version}, inside a publish's transaction.
   *
   * @return its id
   */
  public static long insertAction(Connection c, HubAction.Kind kind, String target, String reason, String by,
      Instant at, Suite suite, long version) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO hub_actions (kind, target, reason, requested_by,"
        + " created_at, suite, bundle_version) VALUES (?, ?, ?, ?, ?, ?, ?)", new String[] {"id"})) {
      ps.setString(1, kind.name());
      ps.setString(2, target);
      ps.setString(3, reason);
      ps.setString(4, by);
      ps.setTimestamp(5, Timestamp.from(at));
      ps.setString(6, suiteName(suite));
      ps.setLong(7, version);
      ps.executeUpdate();
      try (ResultSet rs = ps.getGeneratedKeys()) {
        if (!rs.next()) {
          throw new SQLException("no id generated for the action");
        }
        return rs.getLong(1);
      }
    }
  }

  /**
   * Marks action {@code id} lifted by bundle {@code version}, inside a publish's transaction.
   *
   * @throws SQLException if it is not (or no longer) in force: the transaction must not commit
   */
  public static void liftAction(Connection c, long id, String by, Instant at, long version, String reason)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE hub_actions SET lifted_at = ?, lifted_by = ?,"
        + " lifted_bundle_version = ?, lift_reason = ? WHERE id = ? AND lifted_at IS NULL")) {
      ps.setTimestamp(1, Timestamp.from(at));
      ps.setString(2, by);
      ps.setLong(3, version);
      ps.setString(4, reason);
      ps.setLong(5, id);
      if (ps.executeUpdate() != 1) {
        throw new SQLException("action " + id + " is not in force", "SHL01");
      }
    }
  }

  /** Returns action {@code id}, if there is one. */
  public Optional<HubAction> action(long id) throws SQLException {
    List<HubAction> l = actions("WHERE id = ?", ps -> ps.setLong(1, id));
    return l.stream().findFirst();
  }

  /** Returns the actions of {@code suite} in force, oldest first. */
  public List<HubAction> actionsInForce(Suite suite) throws SQLException {
    return actions("WHERE suite = ? AND lifted_at IS NULL ORDER BY id", ps -> ps.setString(1, suiteName(suite)));
  }

  /** Returns the newest {@code limit} actions, in force or lifted, newest first. */
  public List<HubAction> recentActions(int limit) throws SQLException {
    return actions("ORDER BY id DESC FETCH FIRST " + Math.max(1, Math.min(limit, 10_000)) + " ROWS ONLY", ps -> { });
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private List<HubAction> actions(String where, Binder binder) throws SQLException {
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT " + ACTION_COLUMNS + " FROM hub_actions " + where)) {
      binder.bind(ps);
      List<HubAction> out = new java.util.ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new HubAction(rs.getLong(1), HubAction.Kind.valueOf(rs.getString(2)), rs.getString(3), rs.getString(4),
              rs.getString(5), rs.getTimestamp(6).toInstant(), rs.getString(7), nullableLong(rs, 8),
              rs.getTimestamp(9) == null ? null : rs.getTimestamp(9).toInstant(), rs.getString(10),
              nullableLong(rs, 11), rs.getString(12)));
        }
      }
      c.commit();
      return out;
    }
  }

  private static @org.jspecify.annotations.Nullable Long nullableLong(ResultSet rs, int i) throws SQLException {
    long v = rs.getLong(i);
    return rs.wasNull() ? null : v;
  }

  /** Checks that the database answers (for {@code /readyz}); returns a problem or null. */
  public @org.jspecify.annotations.Nullable String check() {
    try (Connection c = pool.getConnection()) {
      if (!c.isValid(2)) {
        return "the database does not answer";
      }
      c.rollback();
      return null;
    } catch (SQLException e) {
      return "database unavailable: " + e.getMessage();
    }
  }

  static String sha256Hex(byte[] b) {
    return HexFormat.of().formatHex(io.shulian.hub.audit.HubAudit.sha256(b));
  }

  @Override
  public void close() {
    pool.close();
  }
}
