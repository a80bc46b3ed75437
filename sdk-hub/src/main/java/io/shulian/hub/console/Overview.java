package io.shulian.hub.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.party.AdministrativeLevel;
import io.shulian.core.party.PartyId;
import io.shulian.hub.store.HubStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The console's city overview, read from the collector's events: the flows between departments
 * (each exchange counted once, by its envelope id, from the request records of either side) with
 * each department's administrative level (city, district, town, village, from its division code),
 * the requests per day, and the number of open alerts. Thread-safe.
 */
public final class Overview {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** At most this many flows (the largest) are answered. */
  static final int MAX_FLOWS = 500;
  /**
   * The request events whose event_time is at or after the parameters (both the same time), found
   * through the key ranges of the batches that stored them (V5_3: a batch's last_time is the latest
   * event_time among its events, and hub_events has no event_time index of its own).
   */
  private static final String REQUESTS_SINCE = "FROM hub_event_batches b JOIN hub_events e"
      + " ON e.event_key >= b.log_no * 1099511627776 + b.first_seq AND e.event_key < b.log_no * 1099511627776 + b.end_seq"
      + " WHERE b.last_time >= ? AND e.event_time >= ? AND e.direction IN ('REQUEST_IN', 'REQUEST_OUT')";

  private final HubStore store;
  private final Clock clock;

  public Overview(HubStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** The overview of the last {@code days} days. */
  public ObjectNode read(int days) throws SQLException {
    Timestamp since = Timestamp.from(clock.instant().minus(Duration.ofDays(days)));
    ObjectNode o = JSON.createObjectNode();
    o.put("days", days);
    ArrayNode flows = o.putArray("flows");
    Map<String, String> parties = new TreeMap<>();
    try (Connection c = store.connection()) {
      try (PreparedStatement ps = c.prepareStatement("SELECT e.sender, e.receiver, COUNT(DISTINCT e.envelope_id),"
          + " COUNT(DISTINCT CASE WHEN e.status >= 400 THEN e.envelope_id END) " + REQUESTS_SINCE
          + " GROUP BY e.sender, e.receiver ORDER BY 3 DESC")) {
        ps.setTimestamp(1, since);
        ps.setTimestamp(2, since);
        ps.setMaxRows(MAX_FLOWS);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String from = rs.getString(1);
            String to = rs.getString(2);
            flows.addObject().put("from", from).put("to", to).put("requests", rs.getLong(3)).put("refused", rs.getLong(4));
            parties.put(from, level(from));
            parties.put(to, level(to));
          }
        }
      }
      ArrayNode series = o.putArray("perDay");
      try (PreparedStatement ps = c.prepareStatement("SELECT CAST(e.event_time AS DATE), COUNT(DISTINCT e.envelope_id) "
          + REQUESTS_SINCE + " GROUP BY CAST(e.event_time AS DATE) ORDER BY 1")) {
        ps.setTimestamp(1, since);
        ps.setTimestamp(2, since);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            series.addObject().put("day", String.valueOf(rs.getDate(1))).put("requests", rs.getLong(2));
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM hub_alerts WHERE state = 'OPEN'");
          ResultSet rs = ps.executeQuery()) {
        o.put("openAlerts", rs.next() ? rs.getLong(1) : 0);
      }
    }
    ArrayNode ps = o.putArray("parties");
    parties.forEach((id, level) -> ps.addObject().put("id", id).put("level", level));
    return o;
  }

  /** city, district, town, village or province; "unknown" for a sender that is not a party id. */
  static String level(String party) {
    try {
      AdministrativeLevel l = PartyId.parse(party).level();
      return l.name().toLowerCase(Locale.ROOT);
    } catch (RuntimeException e) {
      return "unknown";
    }
  }
}
