package io.shulian.hub.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.audit.AuditException;
import io.shulian.core.audit.AuditStreamVerifier;
import io.shulian.core.audit.Direction;
import io.shulian.core.catalog.Catalog;
import io.shulian.core.catalog.InvalidDocumentException;
import io.shulian.core.keys.Suite;
import io.shulian.core.trust.BundleException;
import io.shulian.core.trust.CityBundle;
import io.shulian.gateway.config.BundlePolicies;
import io.shulian.gateway.evaluate.CaseTiming;
import io.shulian.gateway.evaluate.RaisedAlert;
import io.shulian.gateway.evaluate.SharingEvaluation;
import io.shulian.hub.store.HubStore;
import io.shulian.hub.store.PublishedBundle;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The console's monthly scorecards per department (绩效评价), computed by the same
 * {@link SharingEvaluation} as {@code shulian evaluate} from the hub's own copy of the inputs: the
 * catalog and member names of the newest city bundle published here (its signature checked
 * again), the request records the collector verified and stored, and the answered cases and
 * alerts in the hub's database ({@link #readCasesAndAlerts}, which {@code evaluate --hub-config}
 * reads too). The numbers equal the CLI's for the same logs; records the retention purge removed
 * are missing from both the month and the freshness judgement. Thread-safe.
 */
public final class Scorecards {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The columns that stay strings in the JSON even when they look like numbers. */
  private static final java.util.Set<String> TEXT_COLUMNS = java.util.Set.of("month", "department", "name",
      "refused_by_reason");
  private final HubStore store;
  private final Suite suite;
  private final List<X509Certificate> roots;

  /**
   * @param suite the suite whose newest published bundle supplies the catalog (the hub's own)
   * @param roots that suite's city roots, to check the stored bundle's signature with
   */
  public Scorecards(HubStore store, Suite suite, List<X509Certificate> roots) {
    this.store = store;
    this.suite = suite;
    this.roots = List.copyOf(roots);
  }

  /** Why the scorecards cannot be computed from what the hub stores (a stored record or bundle that does not read). */
  public static final class UnreadableException extends Exception {
    private static final long serialVersionUID = 1L;

    UnreadableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Computes {@code month}'s scorecards with month boundaries in {@code zone}.
   *
   * @throws SQLException if the database does not answer
   * @throws UnreadableException if the stored bundle no longer verifies or a stored record does not decode
   */
  public SharingEvaluation compute(YearMonth month, ZoneId zone) throws SQLException, UnreadableException {
    Catalog catalog = null;
    Map<String, String> names = new HashMap<>();
    Optional<PublishedBundle> newest = store.newest(suite);
    if (newest.isPresent()) {
      CityBundle b;
      try {
        // it verified when it was published; its signature is checked again, its validity then
        b = CityBundle.verify(newest.get().bytes(), roots, newest.get().publishedAt(), Duration.ZERO);
      } catch (BundleException | RuntimeException e) {
        throw new UnreadableException("the newest published bundle (v" + newest.get().version() + ") does not verify", e);
      }
      for (CityBundle.Member m : b.parties()) {
        names.putIfAbsent(m.party().organisation().toString(), m.name());
      }
      if (b.extension(BundlePolicies.CATALOG).isPresent()) {
        try {
          catalog = BundlePolicies.load(b).catalog();
        } catch (java.io.IOException | InvalidDocumentException e) {
          throw new UnreadableException("the newest published bundle's catalog does not load", e);
        }
      }
    }
    if (catalog == null) {
      catalog = noCatalog();
    }
    List<CaseTiming> cases = new ArrayList<>();
    List<RaisedAlert> alerts = new ArrayList<>();
    try (Connection c = store.connection()) {
      readCasesAndAlerts(c, cases, alerts);
      c.rollback();
    }
    try {
      return SharingEvaluation.compute(catalog, names, records(SharingEvaluation.end(month, zone)), cases, alerts,
          month, zone);
    } catch (AuditException e) {
      throw new UnreadableException("a stored event does not decode", e);
    } catch (StoreFailure e) {
      throw e.failure;
    }
  }

  /** A catalog with no resources: for a hub with no bundle or a bundle without a catalog (departments from the events only). */
  private static Catalog noCatalog() {
    try {
      return Catalog.parse("none", "{\"version\": \"none\", \"purposes\": [], \"resources\": []}"
          .getBytes(StandardCharsets.UTF_8));
    } catch (InvalidDocumentException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The stored request records before {@code end}, each log's in sequence order, decoded from their bodies. */
  private SharingEvaluation.Records records(java.time.Instant end) {
    String directions = Arrays.stream(Direction.values()).filter(Direction::isRequest)
        .map(d -> "'" + d.name() + "'").collect(Collectors.joining(", "));
    return consumer -> {
      try (Connection c = store.connection();
          PreparedStatement ps = c.prepareStatement("SELECT body FROM hub_events WHERE event_time < ? AND direction IN ("
              + directions + ") ORDER BY event_key")) {
        ps.setTimestamp(1, Timestamp.from(end));
        ps.setFetchSize(1000);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            consumer.accept(AuditStreamVerifier.decode(rs.getBytes(1)));
          }
        }
        c.rollback();
      } catch (SQLException e) {
        throw new StoreFailure(e);
      }
    };
  }

  /** Carries a database failure out of a record source (which may throw only {@link AuditException}). */
  private static final class StoreFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final SQLException failure;

    StoreFailure(SQLException e) {
      super(e);
      this.failure = e;
    }
  }

  /** Computes the scorecards and renders them as the console's JSON (see {@link #toJson}). */
  public ObjectNode read(YearMonth month, ZoneId zone) throws SQLException, UnreadableException {
    return toJson(compute(month, zone));
  }

  /**
   * {@code {"month","zone","columns":[…],"table":[[cell…]],"rows":[{column: value}]}}: the columns
   * of {@code shulian evaluate}'s CSV, and each department's cells twice: in {@code table} as the
   * CSV's text exactly (what the page shows), in {@code rows} by column name, a plain decimal
   * number as a JSON number, an empty cell as null, every other cell a string.
   */
  static ObjectNode toJson(SharingEvaluation ev) {
    ObjectNode o = JSON.createObjectNode();
    o.put("month", ev.month().toString()).put("zone", ev.zone().getId());
    ArrayNode cols = o.putArray("columns");
    List<String> columns = SharingEvaluation.columns();
    columns.forEach(cols::add);
    ArrayNode rows = o.putArray("rows");
    ArrayNode table = o.putArray("table");
    for (List<String> cells : ev.table()) {
      ArrayNode t = table.addArray();
      cells.forEach(t::add);
      ObjectNode r = rows.addObject();
      for (int i = 0; i < columns.size(); i++) {
        String v = cells.get(i);
        if (v.isEmpty()) {
          r.putNull(columns.get(i));
        } else if (!TEXT_COLUMNS.contains(columns.get(i)) && v.matches("-?[0-9]{1,18}(\\.[0-9]{1,18})?")) {
          r.put(columns.get(i), new BigDecimal(v));
        } else {
          r.put(columns.get(i), v);
        }
      }
    }
    return o;
  }

  /**
   * Reads the answered sharing applications and data objections and the raised alerts, the
   * scorecards' inputs from the hub's database (read only).
   */
  public static void readCasesAndAlerts(Connection conn, List<CaseTiming> cases, List<RaisedAlert> alerts)
      throws SQLException {
    readCases(conn, "hub_applications", "'APPROVED', 'DECLINED'", false, cases);
    readCases(conn, "hub_objections", "'CORRECTED', 'REJECTED'", true, cases);
    try (PreparedStatement ps = conn.prepareStatement("SELECT rule, subject, raised_at FROM hub_alerts");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        alerts.add(new RaisedAlert(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant()));
      }
    }
  }

  private static void readCases(Connection conn, String table, String answered, boolean objection, List<CaseTiming> out)
      throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT provider, submitted_at, answered_at FROM " + table
        + " WHERE answered_at IS NOT NULL AND state IN (" + answered + ")");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(new CaseTiming(objection, rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getTimestamp(3).toInstant()));
      }
    }
  }
}
