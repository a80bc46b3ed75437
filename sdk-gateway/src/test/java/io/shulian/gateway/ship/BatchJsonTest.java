package io.shulian.gateway.ship;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.Checkpoint;
import io.shulian.core.audit.RecordBatch;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector's batch JSON written straight from the record bytes: every member the collector
 * reads, byte for byte, and the certificates' PEM kept only while they are the same certificates.
 */
class BatchJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  private static RecordBatch batch(Path dir, PartyIdentity id, int records) throws Exception {
    try (AuditLog log = AuditLog.builder(dir, id).checkpointEveryRecords(4).checkpointInterval(Duration.ofDays(1)).open()) {
      for (int i = 0; i < records; i++) {
        log.append(KafkaShipperTest.record(i)).get();
      }
    }
    return AuditLogReader.readBatch(dir, 0, 1000, null);
  }

  @Test
  void write_batchWithCheckpointsAndCertificates_everyMemberAsTheCollectorReadsIt() throws Exception {
    PartyIdentity id = PartyIdentity.generateSelfSigned(Suite.INTL, KafkaShipperTest.HOUSING, Duration.ofDays(1));
    RecordBatch b = batch(tmp.resolve("log"), id, 10);
    assertThat(b.checkpoints()).hasSizeGreaterThan(2);
    assertThat(b.certificates()).isNotEmpty();

    JsonNode n = JSON.readTree(new BatchJson().write(b, b.nextSeq(), b.chainHead()));
    assertThat(n.get("logId").asText()).isEqualTo(b.logId());
    assertThat(n.get("hash").asText()).isEqualTo(b.hashAlgorithm().displayName());
    assertThat(n.get("firstSeq").asLong()).isEqualTo(0);
    List<byte[]> records = new ArrayList<>();
    n.get("records").forEach(r -> records.add(Base64.getDecoder().decode(r.asText())));
    assertThat(records).containsExactlyElementsOf(b.bodies());
    assertThat(Base64.getDecoder().decode(n.get("chainHead").asText())).isEqualTo(b.chainHead());
    List<String> lines = new ArrayList<>();
    n.get("checkpoints").forEach(c -> lines.add(c.asText()));
    assertThat(lines).containsExactlyElementsOf(b.checkpoints().stream().map(Checkpoint::toJsonLine).toList());
    assertThat(n.get("certificates").asText()).isEqualTo(PartyCertificate.toPem(b.certificates()));
    assertThat(n.size()).isEqualTo(7);

    // cut at a checkpoint inside (the Kafka shipper): the records and checkpoints up to it only
    Checkpoint cut = b.checkpoints().get(1);
    JsonNode c = JSON.readTree(new BatchJson().write(b, cut.treeSize(), cut.chainHead()));
    assertThat(c.get("records").size()).isEqualTo((int) cut.treeSize());
    assertThat(c.get("checkpoints").size()).isEqualTo(2);
    assertThat(Base64.getDecoder().decode(c.get("chainHead").asText())).isEqualTo(cut.chainHead());
  }

  /** The batch JSON as Jackson's generator writes it (what BatchJson wrote up to wave 7): the reference. */
  private static byte[] jackson(RecordBatch b, long end, byte[] chainHead) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("logId", b.logId());
      g.writeStringField("hash", b.hashAlgorithm().displayName());
      g.writeNumberField("firstSeq", b.firstSeq());
      g.writeArrayFieldStart("records");
      for (byte[] body : b.bodies().subList(0, (int) (end - b.firstSeq()))) {
        g.writeBinary(body);
      }
      g.writeEndArray();
      g.writeFieldName("chainHead");
      g.writeBinary(chainHead);
      g.writeArrayFieldStart("checkpoints");
      for (Checkpoint c : b.checkpoints()) {
        if (c.treeSize() <= end) {
          g.writeString(c.toJsonLine());
        }
      }
      g.writeEndArray();
      if (!b.certificates().isEmpty()) {
        g.writeStringField("certificates", PartyCertificate.toPem(b.certificates()));
      }
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  @Test
  void write_bodiesOfEveryLengthModThree_cutAndEmptyBatches_theBytesJacksonWrites() throws Exception {
    PartyIdentity id = PartyIdentity.generateSelfSigned(Suite.INTL, KafkaShipperTest.HOUSING, Duration.ofDays(1));
    Path dir = tmp.resolve("log");
    RecordBatch b = batch(dir, id, 120); // env-9, env-10, env-100: bodies one byte longer each time
    Set<Integer> padding = b.bodies().stream().map(x -> x.length % 3).collect(Collectors.toSet());
    assertThat(padding).containsExactlyInAnyOrder(0, 1, 2);
    BatchJson w = new BatchJson();
    assertThat(w.write(b, b.nextSeq(), b.chainHead())).isEqualTo(jackson(b, b.nextSeq(), b.chainHead()));
    Checkpoint cut = b.checkpoints().get(3);
    assertThat(w.write(b, cut.treeSize(), cut.chainHead())).isEqualTo(jackson(b, cut.treeSize(), cut.chainHead()));
    RecordBatch empty = AuditLogReader.readBatch(dir, b.nextSeq(), 10, null);
    assertThat(empty.nextSeq()).isEqualTo(empty.firstSeq());
    assertThat(w.write(empty, empty.nextSeq(), empty.chainHead()))
        .isEqualTo(jackson(empty, empty.nextSeq(), empty.chainHead()));
    RecordBatch later = AuditLogReader.readBatch(dir, 7, 1, null); // one record, no checkpoint at its end
    assertThat(w.write(later, later.nextSeq(), later.chainHead()))
        .isEqualTo(jackson(later, later.nextSeq(), later.chainHead()));
  }

  @Test
  void write_certificatesOfAnotherLog_pemEncodedAgainNotTheKeptOne() throws Exception {
    PartyIdentity a = PartyIdentity.generateSelfSigned(Suite.INTL, KafkaShipperTest.HOUSING, Duration.ofDays(1));
    PartyIdentity other = PartyIdentity.generateSelfSigned(Suite.INTL, KafkaShipperTest.HOUSING, Duration.ofDays(2));
    RecordBatch first = batch(tmp.resolve("a"), a, 3);
    RecordBatch second = batch(tmp.resolve("b"), other, 3);
    BatchJson w = new BatchJson();
    for (RecordBatch b : List.of(first, second, first)) {
      JsonNode n = JSON.readTree(w.write(b, b.nextSeq(), b.chainHead()));
      assertThat(n.get("certificates").asText()).isEqualTo(PartyCertificate.toPem(b.certificates()));
    }
  }
}
