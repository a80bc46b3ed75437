package io.shulian.gateway.evaluate;

import io.shulian.core.party.PartyId;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An alert the hub raised (its {@code hub_alerts} row): which rule, about what, and when.
 *
 * @param subject the alert's subject as stored, e.g. a consumer's party id, {@code <consumer> <resource>},
 *     {@code <outcome> <sender> -> <receiver>}, {@code <party> <key id>} or {@code bundle v7}
 */
public record RaisedAlert(String rule, String subject, Instant raisedAt) {
  public RaisedAlert {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(raisedAt, "raisedAt");
  }

  /**
   * The department charged with the alert: the organisation of the first party id the subject names
   * (the consumer, the sender of a rejected envelope, the party of a log or certificate), or null
   * when it names none (a bundle, a CRL).
   */
  public @Nullable String department() {
    for (String token : subject.split(" ")) {
      if (token.indexOf('/') < 0) {
        continue;
      }
      try {
        return PartyId.parse(token).organisation().toString();
      } catch (IllegalArgumentException e) {
        // not a party id: the next token
      }
    }
    return null;
  }
}
