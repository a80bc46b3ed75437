package io.shulian.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.TestParties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AuditProofTest {
  @TempDir Path tmp;

  private Path log(Suite suite, int n) throws Exception {
    Path dir = tmp.resolve("log-" + suite);
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(suite)).checkpointEveryRecords(9).open()) {
      for (int i = 0; i < n; i++) {
        log.append(AuditFixtures.record(i)).get();
      }
    }
    return dir;
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void inclusion_everyRecord_verifiesFromJsonAlone(Suite suite) throws Exception {
    Path dir = log(suite, 37);
    for (int seq = 0; seq < 37; seq++) {
      String json = AuditLogReader.proveInclusion(dir, seq).toJson();
      InclusionProof p = InclusionProof.parse(json.getBytes(StandardCharsets.UTF_8));
      AuditEntry e = p.verify(AuditFixtures.trust(suite), null);
      assertThat(e.seq()).isEqualTo(seq);
      assertThat(e.record()).isEqualTo(AuditFixtures.record(seq));
      assertThat(p.checkpoint().treeSize()).isEqualTo(37);
    }
  }

  @Test
  void inclusion_recordChanged_proofInvalid() throws Exception {
    Path dir = log(Suite.INTL, 20);
    ObjectNode n = (ObjectNode) Checkpoint.JSON.readTree(AuditLogReader.proveInclusion(dir, 4).toJson());
    byte[] rec = Base64.getDecoder().decode(n.get("record").asText());
    rec[rec.length - 1] ^= 1;
    n.put("record", Base64.getEncoder().encodeToString(rec));
    InclusionProof p = InclusionProof.parse(n.toString().getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> p.verify(AuditFixtures.trust(Suite.INTL), null))
        .isInstanceOfSatisfying(AuditException.class, e -> assertThat(e.reason()).isEqualTo(AuditException.Reason.PROOF_INVALID));
  }

  @Test
  void inclusion_otherLogOrForeignAnchor_rejected() throws Exception {
    Path dir = log(Suite.INTL, 5);
    InclusionProof p = AuditLogReader.proveInclusion(dir, 1);
    assertThatThrownBy(() -> p.verify(AuditFixtures.trust(Suite.INTL), "00112233445566778899aabbccddeeff"))
        .hasMessageContaining("not for log");
    PartyIdentity other = PartyIdentity.generateSelfSigned(Suite.INTL, TestParties.DISTRICT, Duration.ofDays(1));
    assertThatThrownBy(() -> p.verify(CheckpointTrust.pinned(List.of(other.signingCertificate())), null))
        .isInstanceOfSatisfying(AuditException.class,
            e -> assertThat(e.reason()).isEqualTo(AuditException.Reason.UNTRUSTED_SIGNER));
  }

  @Test
  void inclusion_recordNotYetCovered_clearError() throws Exception {
    Path dir = tmp.resolve("open");
    try (AuditLog log = AuditLog.builder(dir, AuditFixtures.operator(Suite.INTL)).open()) {
      log.append(AuditFixtures.record(0)).get();
      log.checkpoint().get();
      log.append(AuditFixtures.record(1)).get();
      assertThatThrownBy(() -> AuditLogReader.proveInclusion(dir, 1)).hasMessageContaining("not covered");
    }
  }

  @Test
  void parse_malformedOrNewer_clearErrors() {
    assertThatThrownBy(() -> InclusionProof.parse("{".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(AuditException.class, e -> assertThat(e.reason()).isEqualTo(AuditException.Reason.MALFORMED_PROOF));
    assertThatThrownBy(() -> InclusionProof.parse(
        "{\"type\":\"shulian.audit.inclusion-proof\",\"v\":2}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(AuditException.class,
            e -> assertThat(e.reason()).isEqualTo(AuditException.Reason.UNSUPPORTED_VERSION));
    assertThatThrownBy(() -> ConsistencyProof.parse(
        "{\"type\":\"shulian.audit.inclusion-proof\",\"v\":1}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("not a shulian.audit.consistency-proof");
  }

  @Test
  void consistency_everyPairOfCheckpoints_verifies() throws Exception {
    Path dir = log(Suite.INTL, 50);
    List<Checkpoint> cps = AuditLogReader.checkpoints(dir);
    assertThat(cps.size()).isGreaterThan(3);
    for (int a = 1; a <= cps.size(); a++) {
      for (int b = a; b <= cps.size(); b++) {
        String json = AuditLogReader.proveConsistency(dir, a, b).toJson();
        ConsistencyProof.parse(json.getBytes(StandardCharsets.UTF_8)).verify(AuditFixtures.trust(Suite.INTL), null);
      }
    }
  }

  @Test
  void consistency_forkedLog_proofInvalid() throws Exception {
    Path dir = log(Suite.INTL, 30);
    ObjectNode n = (ObjectNode) Checkpoint.JSON.readTree(AuditLogReader.proveConsistency(dir, 1, 3).toJson());
    // claim the later checkpoint extends a different earlier tree: use checkpoint 2 as "from"
    n.set("from", AuditLogReader.checkpoints(dir).get(1).toTree());
    ConsistencyProof p = ConsistencyProof.parse(n.toString().getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> p.verify(AuditFixtures.trust(Suite.INTL), null))
        .isInstanceOfSatisfying(AuditException.class, e -> assertThat(e.reason()).isEqualTo(AuditException.Reason.PROOF_INVALID));
  }
}
