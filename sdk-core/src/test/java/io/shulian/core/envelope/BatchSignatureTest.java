package io.shulian.core.envelope;

import io.shulian.core.internal.access.CoreAccess;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.internal.crypto.Signer;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.PinnedSenderTrust;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link EnvelopeSealer#sealBatch}: one signature over a Merkle root, a proof per envelope. */
class BatchSignatureTest {

  private static SealRequest request(PartyIdentity to) {
    return EnvelopeForge.request(to);
  }

  private static List<byte[]> payloads(int n) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(("{\"record\":" + i + "}").getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  private static EnvelopeOpener opener(PartyIdentity[] p) {
    return EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).build();
  }

  @ParameterizedTest
  @CsvSource({"INTL,2", "INTL,3", "INTL,7", "INTL,16", "INTL,33", "INTL-P256,5", "GM,2", "GM,6"})
  void sealBatch_everyEnvelopeOpensOnItsOwn(String suite, int n) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    List<SealedEnvelope> sealed =
        EnvelopeSealer.builder(p[0]).build().sealBatch(Collections.nCopies(n, request(p[1])), payloads(n));
    assertThat(sealed).hasSize(n);
    // opened in reverse order, each by a fresh opener: nothing depends on the batch-mates
    for (int i = n - 1; i >= 0; i--) {
      OpenedEnvelope o = opener(p).open(sealed.get(i).toByteArray());
      assertThat(o.payload()).isEqualTo(payloads(n).get(i));
      assertThat(o.header().id()).isEqualTo(sealed.get(i).header().id());
      assertThat(o.signatureBatchSize()).isEqualTo(n);
    }
    assertThat(sealed.stream().map(s -> s.header().id()).distinct()).hasSize(n);
  }

  @Test
  void sealBatch_oneRequest_isAPlainSignature() throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair("INTL");
    List<SealedEnvelope> sealed = EnvelopeSealer.builder(p[0]).build().sealBatch(List.of(request(p[1])), payloads(1));
    assertThat(opener(p).open(sealed.get(0).toByteArray()).signatureBatchSize()).isEqualTo(1);
  }

  @Test
  void sealBatch_badArguments_areRefused() throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair("INTL");
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).build();
    assertThat(sealer.sealBatch(List.of(), List.of())).isEmpty();
    assertThatThrownBy(() -> sealer.sealBatch(List.of(request(p[1])), payloads(2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> sealer.sealBatch(Collections.nCopies(257, request(p[1])), payloads(257)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 256");
    SealRequest framed = SealRequest.builder().recipient(p[1].encryptionCertificate()).resource("HOUSING-001")
        .purpose("social-assistance-review").encoding(EnvelopeEncoding.FRAMED).build();
    assertThatThrownBy(() -> sealer.sealBatch(List.of(framed, framed), payloads(2)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("compact");
  }

  @Test
  void open_batchEnvelopeTwice_isReplay() throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair("INTL");
    List<SealedEnvelope> sealed =
        EnvelopeSealer.builder(p[0]).build().sealBatch(Collections.nCopies(3, request(p[1])), payloads(3));
    EnvelopeOpener o = opener(p);
    o.open(sealed.get(1).toByteArray());
    assertThatThrownBy(() -> o.open(sealed.get(1).toByteArray())).isInstanceOf(ReplayedEnvelopeException.class);
  }

  // ---- forged batches: built with the real signer and re-encrypted to the receiver ----

  /** A batch of {@code n} JWS signed with {@code alg}; returns {signingInput, proof} per envelope. */
  private static List<byte[][]> forgeBatch(PartyIdentity[] p, String alg, int n) {
    Signer signer = CoreAccess.keys().signingKey(p[0]).signer(EnvelopeForge.sm2Id());
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    List<byte[]> inputs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ObjectNode h = EnvelopeForge.jwsHeader(p[0], p[1].party(), now, now.plus(Duration.ofMinutes(5)));
      h.put("alg", alg);
      inputs.add(EnvelopeForge.signingInput(h, payloads(n).get(i)));
    }
    byte[][] proofs = BatchSignature.sign(signer, p[0].suite(), inputs);
    List<byte[][]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new byte[][] {inputs.get(i), proofs[i]});
    }
    return out;
  }

  private static byte[] envelope(PartyIdentity[] p, byte[] input, byte[] proof) {
    byte[] jws = (new String(input, StandardCharsets.US_ASCII) + "."
        + Base64.getUrlEncoder().withoutPadding().encodeToString(proof)).getBytes(StandardCharsets.US_ASCII);
    return EnvelopeForge.encrypt(p[1].encryptionCertificate(), jws);
  }

  @ParameterizedTest
  @ValueSource(strings = {"INTL", "GM"})
  void open_proofOfABatchMate_isRejected(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    String alg = suite.equals("GM") ? "SHL-BATCH-SM2-SM3" : "SHL-BATCH-EdDSA";
    List<byte[][]> b = forgeBatch(p, alg, 4);
    EnvelopeOpener o = opener(p);
    o.open(envelope(p, b.get(0)[0], b.get(0)[1])); // the root signature is now verified and cached
    assertThatThrownBy(() -> o.open(envelope(p, b.get(1)[0], b.get(2)[1])))
        .isInstanceOf(BadSignatureException.class);
    assertThat(o.open(envelope(p, b.get(1)[0], b.get(1)[1])).signatureBatchSize()).isEqualTo(4);
  }

  @Test
  void open_everyByteOfTheProofChanged_isRejectedEvenWithTheRootCached() throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair("INTL");
    List<byte[][]> b = forgeBatch(p, "SHL-BATCH-EdDSA", 5);
    EnvelopeOpener o = opener(p);
    o.open(envelope(p, b.get(0)[0], b.get(0)[1]));
    byte[] proof = b.get(4)[1];
    for (int i = 0; i < proof.length; i++) {
      byte[] bad = proof.clone();
      bad[i] ^= 0x01;
      int at = i;
      assertThatThrownBy(() -> o.open(envelope(p, b.get(4)[0], bad)))
          .as("byte %d of the proof", at)
          .isInstanceOf(BadSignatureException.class);
    }
    assertThatThrownBy(() -> o.open(envelope(p, b.get(4)[0], java.util.Arrays.copyOf(proof, proof.length - 1))))
        .isInstanceOf(BadSignatureException.class);
    assertThatThrownBy(() -> o.open(envelope(p, b.get(4)[0], new byte[0]))).isInstanceOf(BadSignatureException.class);
    assertThatThrownBy(() -> o.open(envelope(p, b.get(4)[0], java.util.Arrays.copyOf(proof, proof.length + 1))))
        .isInstanceOf(BadSignatureException.class);
    assertThat(o.open(envelope(p, b.get(4)[0], proof)).signatureBatchSize()).isEqualTo(5);
  }

  @Test
  void open_changedPayloadUnderABatchSignature_isRejected() throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair("INTL");
    List<byte[][]> b = forgeBatch(p, "SHL-BATCH-EdDSA", 2);
    byte[] input = b.get(1)[0].clone();
    input[input.length - 2] ^= 0x01; // a base64url char of the payload
    assertThatThrownBy(() -> opener(p).open(envelope(p, input, b.get(1)[1])))
        .isInstanceOf(EnvelopeException.class);
  }

  @Test
  void open_batchAlgorithmForAnotherKeyType_isDisallowed() throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair("INTL");
    List<byte[][]> b = forgeBatch(p, "SHL-BATCH-ES256", 2);
    assertThatThrownBy(() -> opener(p).open(envelope(p, b.get(0)[0], b.get(0)[1])))
        .isInstanceOf(DisallowedAlgorithmException.class);
  }

  @Test
  void open_gmBatchAlgorithmInTheIntlSuite_isDisallowed() throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair("INTL");
    List<byte[][]> b = forgeBatch(p, "SHL-BATCH-SM2-SM3", 2);
    assertThatThrownBy(() -> opener(p).open(envelope(p, b.get(0)[0], b.get(0)[1])))
        .isInstanceOf(DisallowedAlgorithmException.class);
  }

  @Test
  void recompute_arbitraryProofBytes_failOnlyAsBadSignature() {
    java.util.Random rnd = new java.util.Random(20261126);
    byte[] input = "eyJhbGciOiJTSEwtQkFUQ0gtRWREU0EifQ.eyJ4IjoxfQ".getBytes(StandardCharsets.US_ASCII);
    int parsed = 0;
    for (int i = 0; i < 20_000; i++) {
      int len = rnd.nextInt(4) == 0 ? rnd.nextInt(400) : 38 + 32 * rnd.nextInt(10) + 64 + rnd.nextInt(3) - 1;
      byte[] proof = new byte[Math.max(0, len)];
      rnd.nextBytes(proof);
      if (proof.length > 5 && rnd.nextBoolean()) {
        // plausible header: version 1, a small tree, an index inside it, a matching path length
        int n = 2 + rnd.nextInt(300);
        int idx = rnd.nextInt(n + 2);
        proof[0] = 1;
        proof[1] = (byte) (n >>> 8);
        proof[2] = (byte) n;
        proof[3] = (byte) (idx >>> 8);
        proof[4] = (byte) idx;
        if (proof.length > 37) {
          proof[37] = (byte) ((proof.length - 38 - 64) / 32);
        }
      }
      try {
        BatchSignature.recompute(io.shulian.core.keys.Suite.values()[i % 2], input, input.length, proof);
        parsed++;
      } catch (BadSignatureException expected) {
        // the only way a proof may fail
      }
    }
    // some random proofs are well-formed (their signature is then checked by the caller)
    assertThat(parsed).isPositive();
  }

  @Test
  void rootMessage_cannotBeAJwsSigningInput() {
    byte[] m = BatchSignature.rootMessage(2, new byte[32]);
    assertThat(new String(m, StandardCharsets.ISO_8859_1)).startsWith("shulian-envelope-batch-v1\n");
  }
}
