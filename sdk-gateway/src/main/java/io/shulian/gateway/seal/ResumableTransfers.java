package io.shulian.gateway.seal;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.shulian.core.envelope.StreamResumption;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.inbound.Problem;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Provider role: the data set transfers that may still be continued (docs/return-flow.md
 * "Resume"), by the id of the response envelope they stream. Each keeps the {@link
 * StreamResumption} of its envelope (which holds the content key) and what the transfer was asked
 * for; a continuation must come from the same consumer for the same resource, purpose, request
 * and grant. At most {@link #MAX_TRANSFERS} are kept, each for {@link #RETENTION} after it
 * started; the oldest go first and their content keys are wiped. Thread-safe.
 */
final class ResumableTransfers {
  static final int MAX_TRANSFERS = 256;
  static final Duration RETENTION = Duration.ofHours(1);
  /**
   * Inside the sealed request (so signed by the consumer): {@code <response envelope id>;from=<segment>}.
   * The consumer gateway sets it and drops one an app sent.
   */
  static final String RESUME_HEADER = "x-shulian-resume";

  /** What a transfer was asked for; a continuation must ask for exactly the same. */
  record Asked(PartyId consumer, String resource, String purpose, String method, String target,
      @Nullable String grant) {}

  private record Entry(StreamResumption resumption, Asked asked, Instant started) {}

  /** A continuation asked for: the envelope and the first segment wanted. */
  record Continuation(UUID envelopeId, long fromSegment) {
    /** Parses the header's value; empty if malformed. */
    static Optional<Continuation> parse(String v) {
      int semi = v.indexOf(";from=");
      if (semi != 36 || v.length() > 36 + 6 + 10) {
        return Optional.empty();
      }
      try {
        UUID id = UUID.fromString(v.substring(0, 36));
        String n = v.substring(semi + 6);
        if (n.isEmpty() || !n.chars().allMatch(c -> c >= '0' && c <= '9')) {
          return Optional.empty();
        }
        return Optional.of(new Continuation(id, Long.parseLong(n)));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }

    String value() {
      return envelopeId + ";from=" + fromSegment;
    }
  }

  private final Clock clock;
  private final Map<UUID, Entry> entries = new LinkedHashMap<>();

  ResumableTransfers(Clock clock) {
    this.clock = clock;
  }

  /** Keeps a transfer that started streaming. */
  synchronized void started(StreamResumption r, Asked asked) {
    expire();
    while (entries.size() >= MAX_TRANSFERS) {
      Iterator<Entry> it = entries.values().iterator();
      it.next().resumption().destroy();
      it.remove();
    }
    entries.put(r.header().id(), new Entry(r, asked, clock.instant()));
  }

  /**
   * The resumption for a continuation, or the problem that refuses it (409 {@code RESUME_REFUSED}
   * with a reason: {@code UNKNOWN_TRANSFER}, {@code TRANSFER_MISMATCH}, {@code RANGE_INVALID},
   * {@code RESUME_IN_PROGRESS}).
   */
  synchronized Result find(Continuation c, Asked asked) {
    expire();
    Entry e = entries.get(c.envelopeId());
    if (e == null) {
      return refused("UNKNOWN_TRANSFER", "no transfer of this envelope can be continued here (unknown or expired)");
    }
    if (!e.asked().equals(asked)) {
      return refused("TRANSFER_MISMATCH",
          "a continuation must be asked for by the same consumer for the same resource, purpose, request and grant");
    }
    if (c.fromSegment() > e.resumption().segmentsSealed()) {
      return refused("RANGE_INVALID", "the transfer was not sent as far as the segment asked for");
    }
    if (e.resumption().inUse()) {
      return refused("RESUME_IN_PROGRESS", "the transfer is still being sent; ask again when it stopped");
    }
    return new Result(e.resumption(), null);
  }

  /** A resumption, or the problem refusing it. */
  record Result(@Nullable StreamResumption resumption, @Nullable Problem problem) {}

  static Result refused(String reason, String detail) {
    return new Result(null, Problem.of(HttpResponseStatus.CONFLICT,
        java.util.List.of(new Problem.Reason("RESUME_REFUSED", "the transfer cannot be continued"),
            new Problem.Reason(reason, detail)), detail));
  }

  private void expire() {
    Instant oldest = clock.instant().minus(RETENTION);
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (!e.started().isAfter(oldest)) {
        e.resumption().destroy();
        it.remove();
      } else {
        break;
      }
    }
  }

  synchronized int size() {
    return entries.size();
  }

  static Asked asked(PartyId consumer, String resource, String purpose, String method, String target,
      @Nullable String grant) {
    return new Asked(Objects.requireNonNull(consumer), resource, purpose, method, target, grant);
  }
}
