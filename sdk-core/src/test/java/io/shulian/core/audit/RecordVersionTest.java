package io.shulian.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.internal.audit.RecordCodec;
import io.shulian.core.keys.Suite;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records name app, method and path from body version 2 on; version 1 bodies read and verify as before. */
class RecordVersionTest {
  @TempDir Path tmp;

  /** The body of {@code r} exactly as the version-1 writer of earlier releases laid it out (docs/audit.md). */
  static byte[] versionOneBody(long seq, AuditRecord r) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream o = new DataOutputStream(b);
    o.writeByte(1);
    o.writeLong(seq);
    o.writeLong(r.time().getEpochSecond());
    o.writeInt(r.time().getNano());
    o.writeByte(r.direction().code());
    for (String s : List.of(r.envelopeId(), r.sender(), r.receiver(), r.resource(), r.purpose(), r.grantId())) {
      str(o, s);
    }
    o.writeByte(r.decision().effect() == AuditDecision.Effect.PERMIT ? 1 : 2);
    list(o, r.decision().ruleIds());
    list(o, r.decision().obligations());
    str(o, r.decision().policyVersionHash());
    list(o, r.decision().reasonCodes());
    o.writeByte(r.payloadDigestAlgorithm().id());
    o.writeByte(r.payloadDigest().length);
    o.write(r.payloadDigest());
    o.writeLong(r.payloadBytes());
    o.writeShort(r.status());
    str(o, r.outcome());
    o.writeLong(r.latency().toNanos());
    return b.toByteArray();
  }

  private static void str(DataOutputStream o, String s) throws Exception {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    o.writeShort(b.length);
    o.write(b);
  }

  private static void list(DataOutputStream o, List<String> l) throws Exception {
    o.writeByte(l.size());
    for (String s : l) {
      str(o, s);
    }
  }

  static byte[] encode(long seq, AuditRecord r) {
    RecordCodec.Sink s = new RecordCodec.Sink(64);
    RecordCodec.encode(seq, r, s);
    return java.util.Arrays.copyOf(s.array(), s.position());
  }

  static AuditRecord withRequest(int i) {
    return AuditFixtures.record(i).toBuilder().app("civil-portal").request("GET", "/records/" + i).build();
  }

  @Test
  void recordWithoutRequest_isWrittenAsVersionOneByteForByte() throws Exception {
    for (int i = 0; i < 20; i++) {
      AuditRecord r = AuditFixtures.record(i);
      assertThat(encode(i, r)).isEqualTo(versionOneBody(i, r));
    }
  }

  @Test
  void versionOneBody_decodesWithEmptyAppMethodAndPath() throws Exception {
    byte[] body = versionOneBody(7, AuditFixtures.record(7));
    AuditEntry e = RecordCodec.decode(body, 0, body.length);
    assertThat(e.record()).isEqualTo(AuditFixtures.record(7));
    assertThat(e.record().app()).isEmpty();
    assertThat(e.record().method()).isEmpty();
    assertThat(e.record().path()).isEmpty();
  }

  @Test
  void recordWithRequest_isVersionTwoAndRoundTrips() throws Exception {
    for (int i = 0; i < 20; i++) {
      AuditRecord r = withRequest(i);
      byte[] body = encode(i, r);
      assertThat(body[0]).isEqualTo((byte) 2);
      AuditEntry e = RecordCodec.decode(body, 0, body.length);
      assertThat(e.record()).isEqualTo(r);
      assertThat(e.record().app()).isEqualTo("civil-portal");
      assertThat(e.record().method()).isEqualTo("GET");
      assertThat(e.record().path()).isEqualTo("/records/" + i);
      for (int cut = body.length - 12; cut < body.length; cut++) {
        int c = cut;
        assertThatThrownBy(() -> RecordCodec.decode(body, 0, c)).isInstanceOf(RecordCodec.MalformedRecordException.class);
      }
    }
  }

  static AuditRecord withTransfer(int i, boolean complete) {
    return withRequest(i).toBuilder().transfer(new AuditRecord.Transfer(i * 1000L, i + 1, complete)).build();
  }

  @Test
  void recordWithTransfer_isVersionThreeAndRoundTrips() throws Exception {
    for (int i = 0; i < 20; i++) {
      AuditRecord r = withTransfer(i, i % 2 == 0);
      byte[] body = encode(i, r);
      assertThat(body[0]).isEqualTo((byte) 3);
      AuditRecord back = RecordCodec.decode(body, 0, body.length).record();
      assertThat(back).isEqualTo(r);
      assertThat(back.transfer()).contains(new AuditRecord.Transfer(i * 1000L, i + 1, i % 2 == 0));
      for (int cut = body.length - 17; cut < body.length; cut++) {
        int c = cut;
        assertThatThrownBy(() -> RecordCodec.decode(body, 0, c)).isInstanceOf(RecordCodec.MalformedRecordException.class);
      }
      byte[] badFlag = body.clone();
      badFlag[badFlag.length - 1] = 2;
      assertThatThrownBy(() -> RecordCodec.decode(badFlag, 0, badFlag.length))
          .isInstanceOf(RecordCodec.MalformedRecordException.class);
    }
  }

  @Test
  void recordWithoutTransfer_staysVersionTwo() {
    assertThat(encode(1, withRequest(1))[0]).isEqualTo((byte) 2);
  }

  @Test
  void newerBodyVersion_refusedAsNewer() {
    byte[] body = encode(0, withRequest(0));
    body[0] = (byte) (RecordCodec.VERSION + 1);
    assertThatThrownBy(() -> RecordCodec.decode(body, 0, body.length))
        .isInstanceOfSatisfying(RecordCodec.MalformedRecordException.class, e -> assertThat(e.newerVersion()).isTrue());
  }

  @Test
  void logMixingBothVersions_verifiesAndReadsBack() throws Exception {
    Path dir = tmp.resolve("log");
    List<AuditRecord> written = new ArrayList<>();
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).checkpointEveryRecords(5).open()) {
      List<CompletableFuture<Long>> fs = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        AuditRecord r = i % 3 == 0 ? AuditFixtures.record(i) : i % 3 == 1 ? withRequest(i) : withTransfer(i, i % 2 == 0);
        written.add(r);
        fs.add(log.append(r));
      }
      CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get();
    }

    VerificationReport report = AuditVerifier.verify(dir, AuditFixtures.trust(Suite.INTL));
    assertThat(report.intact()).as(report.summary()).isTrue();
    assertThat(report.records()).isEqualTo(24);
    List<AuditRecord> read = new ArrayList<>();
    AuditLogReader.forEach(dir, e -> read.add(e.record()));
    assertThat(read).isEqualTo(written);
  }
}
