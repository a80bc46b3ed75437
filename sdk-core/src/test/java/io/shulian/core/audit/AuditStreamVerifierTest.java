package io.shulian.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.internal.audit.RecordCodec;
import io.shulian.core.keys.Suite;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A log shipped in batches ({@link AuditLogReader#readBatch}) and verified piece by piece. */
class AuditStreamVerifierTest {
  @TempDir static Path shared;
  static Path log;

  /** 60 records over several segments, a checkpoint every 10 records, and a final one. */
  @BeforeAll
  static void writeLog() throws Exception {
    log = shared.resolve("log");
    try (AuditLog l = AuditLog.builder(log, AuditFixtures.operator(Suite.INTL))
        .segmentMaxBytes(4096).checkpointEveryRecords(10).open()) {
      for (int i = 0; i < 60; i++) {
        l.append(AuditFixtures.record(i)).get();
      }
    }
  }

  /** Feeds one batch as the collector does: records in order, each checkpoint at its size. */
  private static int feed(AuditStreamVerifier v, RecordBatch b) throws AuditException {
    int accepted = 0;
    List<Checkpoint> cps = new ArrayList<>(b.checkpoints());
    int next = 0;
    while (next < cps.size() && cps.get(next).treeSize() == v.size()) {
      v.checkpoint(cps.get(next++), AuditFixtures.trust(Suite.INTL), b.certificates());
      accepted++;
    }
    for (byte[] body : b.bodies()) {
      v.append(body);
      while (next < cps.size() && cps.get(next).treeSize() == v.size()) {
        v.checkpoint(cps.get(next++), AuditFixtures.trust(Suite.INTL), b.certificates());
        accepted++;
      }
    }
    v.expectChainHead(b.chainHead());
    return accepted;
  }

  @Test
  void readBatch_inPiecesAcrossSegments_verifiesEveryCheckpointAndResumesFromState() throws Exception {
    RecordBatch prev = null;
    AuditStreamVerifier v = null;
    long seq = 0;
    int checkpoints = 0;
    List<String> records = new ArrayList<>();
    while (true) {
      RecordBatch b = AuditLogReader.readBatch(log, seq, 7, prev);
      if (b.bodies().isEmpty()) {
        break;
      }
      // a verifier stored and resumed between batches, as the collector keeps it in its database
      v = v == null ? AuditStreamVerifier.start(b.logId(), b.hashAlgorithm())
          : AuditStreamVerifier.resume(b.logId(), b.hashAlgorithm(), v.state());
      checkpoints += feed(v, b);
      for (byte[] body : b.bodies()) {
        records.add(body.length + "");
      }
      seq = b.nextSeq();
      prev = b;
    }
    assertThat(seq).isEqualTo(60);
    assertThat(v.size()).isEqualTo(60);
    assertThat(v.coveredRecords()).isEqualTo(60);
    // the tree-size-0 checkpoint, one every 10 records and the closing one (a repeat of size 60 counts once)
    assertThat(checkpoints).isGreaterThanOrEqualTo(7);
    assertThat(records).hasSize(60);
  }

  @Test
  void readBatch_withoutHint_equalsReadWithHint() throws Exception {
    RecordBatch a = AuditLogReader.readBatch(log, 0, 33, null);
    RecordBatch withHint = AuditLogReader.readBatch(log, 33, 20, a);
    RecordBatch without = AuditLogReader.readBatch(log, 33, 20, null);
    assertThat(withHint.bodies()).hasSize(20);
    for (int i = 0; i < 20; i++) {
      assertThat(withHint.bodies().get(i)).isEqualTo(without.bodies().get(i));
    }
    assertThat(withHint.chainHead()).isEqualTo(without.chainHead());
    assertThat(AuditLogReader.readBatch(log, 60, 5, null).bodies()).isEmpty();
    assertThat(AuditLogReader.readBatch(log, 99, 5, null).logSize()).isEqualTo(60);
  }

  @Test
  void append_gapInSequence_refusedAndStateUnchanged() throws Exception {
    RecordBatch b = AuditLogReader.readBatch(log, 0, 10, null);
    AuditStreamVerifier v = AuditStreamVerifier.start(b.logId(), b.hashAlgorithm());
    v.append(b.bodies().get(0));
    byte[] before = v.state();
    assertThatThrownBy(() -> v.append(b.bodies().get(2)))
        .isInstanceOf(AuditException.class).hasMessageContaining("record has seq 2 where seq 1 belongs");
    assertThat(v.state()).isEqualTo(before);
  }

  @Test
  void checkpoint_ofRewrittenRecords_refusedAsFork() throws Exception {
    RecordBatch b = AuditLogReader.readBatch(log, 0, 10, null);
    AuditStreamVerifier v = AuditStreamVerifier.start(b.logId(), b.hashAlgorithm());
    List<byte[]> bodies = b.bodies();
    for (int i = 0; i < 10; i++) {
      byte[] body = bodies.get(i);
      if (i == 4) {
        // a well-formed record with another outcome, re-encoded at the same seq
        AuditRecord forged = RecordCodec.decode(body, 0, body.length).record().toBuilder().outcome("FORGED").build();
        RecordCodec.Sink sink = new RecordCodec.Sink(1024);
        RecordCodec.encode(4, forged, sink);
        body = java.util.Arrays.copyOf(sink.array(), sink.position());
      }
      v.append(body);
    }
    Checkpoint at10 = b.checkpoints().stream().filter(c -> c.treeSize() == 10).findFirst().orElseThrow();
    assertThatThrownBy(() -> v.checkpoint(at10, AuditFixtures.trust(Suite.INTL), b.certificates()))
        .isInstanceOf(AuditException.class).hasMessageContaining("does not match the records");
    assertThatThrownBy(() -> v.expectChainHead(b.chainHead())).hasMessageContaining("rewritten or forked");
  }

  @Test
  void checkpoint_signedByAnotherKey_refusedUntrusted() throws Exception {
    RecordBatch b = AuditLogReader.readBatch(log, 0, 10, null);
    AuditStreamVerifier v = AuditStreamVerifier.start(b.logId(), b.hashAlgorithm());
    Checkpoint zero = b.checkpoints().get(0);
    assertThat(zero.treeSize()).isZero();
    assertThatThrownBy(() -> v.checkpoint(zero, AuditFixtures.trust(Suite.GM), List.of()))
        .isInstanceOf(AuditException.class)
        .extracting(e -> ((AuditException) e).reason()).isEqualTo(AuditException.Reason.UNTRUSTED_SIGNER);
    assertThat(v.coveredRecords()).isZero();
  }

  @Test
  void resume_garbageState_refused() {
    assertThatThrownBy(() -> AuditStreamVerifier.resume("00112233445566778899aabbccddeeff", HashAlgorithm.SHA_256,
        new byte[50])).isInstanceOf(IllegalArgumentException.class);
  }
}
