package io.shulian.gateway.ship;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.Checkpoint;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka shipper against kafka-clients' MockProducer (the real broker: sdk-hub's
 * KafkaEventStreamTest): every batch ends at a signed checkpoint, and a restart resumes at the cursor.
 */
class KafkaShipperTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final PartyId HOUSING = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1234H"), "housing");
  static final PartyId CIVIL = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C5678C"), null);
  @TempDir Path tmp;

  static AuditRecord record(int i) {
    return AuditRecord.builder().time(Instant.parse("2026-01-05T08:00:00Z").plusSeconds(i)).envelopeId("env-" + i)
        .direction(Direction.REQUEST_IN).sender(CIVIL).receiver(HOUSING).resource("civil.marriage")
        .purpose("social-assistance-review").decision(AuditDecision.permit()).status(200).outcome("OK")
        .latency(Duration.ofMillis(3)).build();
  }

  private static long deadline(long seconds) {
    return System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
  }

  private static void await(KafkaShipper s, long seq) throws InterruptedException {
    long end = deadline(30);
    while (s.acknowledged() != seq && System.nanoTime() < end) {
      Thread.sleep(20);
    }
    assertThat(s.acknowledged()).as("acknowledged").isEqualTo(seq);
  }

  private KafkaShipper shipper(AuditLog log, PartyIdentity id, MockProducer<String, byte[]> producer) throws Exception {
    return shipper(log, id, producer, Duration.ofHours(1));
  }

  private KafkaShipper shipper(AuditLog log, PartyIdentity id, MockProducer<String, byte[]> producer, Duration heartbeat)
      throws Exception {
    return new KafkaShipper("shulian.audit", id.party(), log.directory(), tmp.resolve("state"), 10, Duration.ofMillis(20),
        heartbeat, log::checkpoint, producer);
  }

  @Test
  void everyKafkaRecord_endsAtASignedCheckpoint_keyedByLogId_andARestartResumesAtTheCursor() throws Exception {
    PartyIdentity id = PartyIdentity.generateSelfSigned(Suite.INTL, HOUSING, Duration.ofDays(1));
    Files.createDirectories(tmp.resolve("state"));
    // no checkpoint of the log's own for a day: the shipper must ask for them
    try (AuditLog log = AuditLog.builder(tmp.resolve("audit"), id).checkpointEveryRecords(1000)
        .checkpointInterval(Duration.ofDays(1)).open()) {
      for (int i = 0; i < 23; i++) {
        log.append(record(i)).get();
      }
      MockProducer<String, byte[]> p = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
      try (KafkaShipper s = shipper(log, id, p)) {
        s.start();
        await(s, 23);
      }
      long next = 0;
      for (ProducerRecord<String, byte[]> r : p.history()) {
        assertThat(r.key()).isEqualTo(log.logId());
        assertThat(new String(r.headers().lastHeader(KafkaShipper.PARTY_HEADER).value(), StandardCharsets.UTF_8))
            .isEqualTo(id.party().toString());
        JsonNode b = JSON.readTree(r.value());
        assertThat(b.get("firstSeq").asLong()).as("batches follow each other").isEqualTo(next);
        long end = next + b.get("records").size();
        List<Checkpoint> cps = Checkpoint.fromJsonLines(b.get("checkpoints").get(b.get("checkpoints").size() - 1).asText() + "\n");
        assertThat(cps.get(0).treeSize()).as("the batch ends at a checkpoint").isEqualTo(end);
        next = end;
      }
      assertThat(next).isEqualTo(23);
      assertThat(Files.readString(tmp.resolve("state").resolve(KafkaShipper.CURSOR_FILE)).trim())
          .isEqualTo(log.logId() + " 23");

      for (int i = 23; i < 28; i++) {
        log.append(record(i)).get();
      }
      MockProducer<String, byte[]> again = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
      try (KafkaShipper s = shipper(log, id, again)) {
        s.start();
        await(s, 28);
      }
      assertThat(again.history()).isNotEmpty();
      assertThat(JSON.readTree(again.history().get(0).value()).get("firstSeq").asLong()).as("resumed at the cursor")
          .isEqualTo(23);

      // nothing new: a heartbeat, the checkpoint at the cursor alone (the hub's gateway_silence rule sees it)
      MockProducer<String, byte[]> quiet = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
      try (KafkaShipper s = shipper(log, id, quiet, Duration.ofMillis(1))) {
        s.start();
        long end = deadline(30);
        while (quiet.history().isEmpty() && System.nanoTime() < end) {
          Thread.sleep(20);
        }
      }
      JsonNode beat = JSON.readTree(quiet.history().get(0).value());
      assertThat(beat.get("firstSeq").asLong()).isEqualTo(28);
      assertThat(beat.get("records").size()).isZero();
      assertThat(Checkpoint.fromJsonLines(beat.get("checkpoints").get(0).asText() + "\n").get(0).treeSize()).isEqualTo(28);
    }
  }
}
