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

  private final HikariDataSource pool;

  private HubStore(HikariDataSource pool) {
    this.pool = pool;
  }

  /** Returns the JDBC URL of the embedded H2 database in {@code dataDir}. */
  public static String h2Url(Path dataDir) {
    // file mode; the database closes with the pool, not with the JVM's shutdown hook (the hub
    // closes its pool itself, after its last request)
    return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("hub").toString().replace('\\', '/')
        + ";DB_CLOSE_ON_EXIT=FALSE";
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
      throws SQLException {
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
        c.commit();
        return PublishResult.PUBLISHED;
      } catch (SQLException e) {
        c.rollback();
        // a concurrent publisher won the race for this version (primary key): not newer any more
        if ("23505".equals(e.getSQLState()) || "40001".equals(e.getSQLState())) {
          return PublishResult.NOT_NEWER;
        }
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
    try {
      return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
