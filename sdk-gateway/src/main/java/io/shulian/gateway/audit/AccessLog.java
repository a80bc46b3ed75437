package io.shulian.gateway.audit;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Logs one access line per audited exchange (logger {@value #LOGGER}, INFO, event {@code access})
 * with the status and code the gateway actually answered, and a WARN line (event {@code
 * server_error}) for every 5xx answer whether or not the access log is on.
 *
 * <p>The fields are stable: {@code direction}, {@code method}, {@code path} (normalised, without
 * its query string, which may carry personal data), {@code resource}, {@code purpose}, {@code
 * status}, {@code code}, {@code consumer}, {@code provider} (party ids), {@code app}, {@code
 * bytes_in} and {@code bytes_out} (the request and response payload sizes), {@code duration_ms},
 * {@code exchange_id} (the request envelope's id, {@code -} if there was none). Never a payload, a
 * key, a grant token or an API key. Called by the two places that hand an {@link ExchangeEvent} to
 * the {@link ExchangeAuditor}: the exchange handlers' common response path and the HTTP edge's
 * refusals.
 */
public final class AccessLog {
  /** The access log's logger name, independent of the class so that its configuration is stable. */
  public static final String LOGGER = "shulian.access";

  private static final Logger ACCESS = LoggerFactory.getLogger(LOGGER);
  private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);

  private AccessLog() {}

  /**
   * Logs the exchange {@code e} as answered with {@code status} and {@code code} (which differ from
   * the event's when the record could not be made durable and the gateway answered 503 instead).
   */
  public static void answered(ExchangeEvent e, int status, String code) {
    if (ACCESS.isInfoEnabled()) {
      fields(ACCESS.atInfo(), "access", e, status, code).log("{} {} {} {}", e.method.isEmpty() ? "-" : e.method,
          path(e.path), status, code);
    }
    if (status >= 500) {
      fields(LOG.atWarn(), "server_error", e, status, code)
          .log("answered {} {} to {} {} {}", status, code, e.method.isEmpty() ? "-" : e.method, path(e.path),
              e.resource);
    }
  }

  private static LoggingEventBuilder fields(LoggingEventBuilder b, String event, ExchangeEvent e, int status,
      String code) {
    boolean request = e.direction == ExchangeEvent.Direction.REQUEST_OUT
        || e.direction == ExchangeEvent.Direction.REQUEST_IN;
    return b.addKeyValue("event", event)
        .addKeyValue("direction", e.direction.name().toLowerCase(Locale.ROOT))
        .addKeyValue("method", e.method.isEmpty() ? "-" : e.method)
        .addKeyValue("path", path(e.path))
        .addKeyValue("resource", e.resource)
        .addKeyValue("purpose", e.purpose)
        .addKeyValue("status", status)
        .addKeyValue("code", code)
        .addKeyValue("consumer", request ? e.sender : e.receiver)
        .addKeyValue("provider", request ? e.receiver : e.sender)
        .addKeyValue("app", e.app.isEmpty() ? "-" : e.app)
        .addKeyValue("bytes_in", e.payloadBytes)
        .addKeyValue("bytes_out", Math.max(0, e.responseBytes))
        .addKeyValue("duration_ms", e.latency.toMillis())
        .addKeyValue("exchange_id", e.envelopeId);
  }

  /** The path without its query string; {@code -} if there was none. */
  static String path(String p) {
    int q = p.indexOf('?');
    String s = q < 0 ? p : p.substring(0, q);
    return s.isEmpty() ? "-" : s;
  }
}
