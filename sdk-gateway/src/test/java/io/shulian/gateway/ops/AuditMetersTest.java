package io.shulian.gateway.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.audit.HashAlgorithm;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Micrometer binding of the audit log listener: same meter names and tags as before it left sdk-core. */
class AuditMetersTest {
  static final PartyId PROVIDER = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C5678C"), null);
  static final PartyId CONSUMER = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1234H"), "housing");

  @TempDir Path tmp;

  static AuditRecord record(int i) {
    boolean deny = i % 7 == 3;
    return AuditRecord.builder()
        .time(Instant.parse("2026-01-05T08:00:00Z").plusSeconds(i))
        .envelopeId("env-" + i / 2)
        .direction(i % 2 == 0 ? Direction.REQUEST_IN : Direction.RESPONSE_OUT)
        .sender(i % 2 == 0 ? CONSUMER : PROVIDER)
        .receiver(i % 2 == 0 ? PROVIDER : CONSUMER)
        .resource("civil.marriage")
        .purpose("social-assistance-review")
        .decision(deny ? AuditDecision.deny("NO_GRANT") : AuditDecision.permit())
        .payloadDigest(HashAlgorithm.SHA_256, new byte[32])
        .payloadBytes(deny ? 0 : 100)
        .status(deny ? 403 : 200)
        .outcome(deny ? "DENIED" : "OK")
        .latency(Duration.ofMillis(10 + i))
        .build();
  }

  @Test
  void append_publishesCountersWithPartyTags() throws Exception {
    SimpleMeterRegistry reg = new SimpleMeterRegistry();
    PartyIdentity op = PartyIdentity.generateSelfSigned(Suite.INTL, PROVIDER, Duration.ofDays(1));
    AuditLog log = AuditLog.builder(tmp.resolve("log"), op).listener(new AuditMeters(reg)).open();
    for (int i = 0; i < 28; i++) {
      log.append(record(i)).get();
    }
    log.close();
    log.append(record(28)); // refused: closed
    double denied = reg.find("shulian.audit.records").tag("outcome", "DENY").tag("reason", "NO_GRANT")
        .counters().stream().mapToDouble(c -> c.count()).sum();
    assertThat(denied).isEqualTo(4); // i % 7 == 3 for i < 28
    assertThat(reg.find("shulian.audit.records").tag("provider", PROVIDER.toString())
        .counters().stream().mapToDouble(c -> c.count()).sum()).isEqualTo(28);
    assertThat(reg.find("shulian.audit.payload.bytes").counters().stream().mapToDouble(c -> c.count()).sum())
        .isEqualTo(24 * 100);
    assertThat(reg.find("shulian.audit.latency").timers()).isNotEmpty();
    assertThat(reg.get("shulian.audit.commit").timer().count()).isPositive();
    assertThat(reg.get("shulian.audit.log.failures").counter().count()).isEqualTo(1);
  }
}
