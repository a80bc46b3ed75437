package io.shulian.hub.alert;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One alert as stored.
 *
 * @param rule the rule that raised it (snake_case, e.g. {@code chain_fork}, {@code denial_spike})
 * @param subject what it is about (a party, a log id, a resource): one open alert per rule and subject
 * @param events the events behind it, as {@code <log id>:<seq>}; empty when none (a silent gateway)
 */
public record Alert(long id, String rule, Severity severity, String subject, String summary, List<String> events,
    State state, Instant raisedAt, Instant changedAt, @Nullable String changedBy, @Nullable String note) {

  public enum Severity {
    CRITICAL,
    WARNING,
    INFO;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public enum State {
    OPEN,
    ACKNOWLEDGED,
    CLOSED
  }

  public Alert {
    events = List.copyOf(events);
  }
}
