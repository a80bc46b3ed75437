package io.shulian.core.internal.crypto;

import io.shulian.core.internal.access.CoreAccess;
import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.TestParties;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Streaming signatures ({@link Signer#stream}, {@link Verifier#stream}) used by framed envelopes:
 * Ed25519ph against RFC 8032 section 7.3, and for every algorithm that data given in pieces signs
 * and verifies like the data in one piece, and that the usual forgeries fail.
 */
class StreamingSignatureTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] CTX = "shulian-framed-v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ID = "1234567812345678".getBytes(StandardCharsets.US_ASCII);

  @Test
  void stream_rfc8032Ed25519phVector_reproducesPublishedSignature() {
    byte[] sk = HEX.parseHex("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42");
    byte[] pk = HEX.parseHex("ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf");
    byte[] sig = HEX.parseHex("98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae41"
        + "31f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406");
    byte[] msg = "abc".getBytes(StandardCharsets.US_ASCII);

    Signer.Streaming s = new Ed25519Keys.Sign(sk).stream(new byte[0]);
    s.update(msg, 0, 1);
    s.update(msg, 1, 2);
    assertThat(s.finish()).isEqualTo(sig);
    Verifier.Streaming v = new Ed25519Keys.Verify(pk).stream(new byte[0]);
    v.update(msg, 0, msg.length);
    assertThat(v.finish(sig)).isTrue();
    Verifier.Streaming withContext = new Ed25519Keys.Verify(pk).stream(CTX);
    withContext.update(msg, 0, msg.length);
    assertThat(withContext.finish(sig)).as("another context").isFalse();
  }

  static Stream<String> suites() {
    return Stream.of("INTL", "INTL-P256", "GM");
  }

  private static PartyIdentity signer(String suite) {
    return suite.equals("INTL-P256") ? TestParties.p256Pair()[0] : TestParties.pair(Suite.valueOf(suite))[0];
  }

  private static byte[] streamSign(Signer s, byte[] data, Random r) {
    Signer.Streaming st = s.stream(CTX);
    int at = 0;
    while (at < data.length) {
      int n = Math.min(data.length - at, 1 + r.nextInt(5000));
      st.update(data, at, n);
      at += n;
    }
    return st.finish();
  }

  private static boolean streamVerify(Verifier v, byte[] data, byte[] sig) {
    Verifier.Streaming st = v.stream(CTX);
    st.update(data, 0, data.length);
    return st.finish(sig);
  }

  @ParameterizedTest
  @MethodSource("suites")
  void stream_dataInPieces_verifiesAndRejectsForgeries(String suite) {
    PartyIdentity id = signer(suite);
    Signer s = CoreAccess.keys().signingKey(id).signer(ID);
    Verifier v = CoreAccess.certificates().publicKey(id.signingCertificate()).verifier(ID);
    Random r = new Random(42);
    byte[] data = new byte[20_000];
    r.nextBytes(data);

    byte[] sig = streamSign(s, data, r);

    assertThat(sig).hasSize(64);
    assertThat(streamVerify(v, data, sig)).isTrue();
    byte[] other = data.clone();
    other[12_345] ^= 1;
    assertThat(streamVerify(v, other, sig)).isFalse();
    for (int bit : new int[] {0, 255, 256, 511}) {
      byte[] bad = sig.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThat(streamVerify(v, data, bad)).as("bit " + bit).isFalse();
    }
    assertThat(streamVerify(v, data, new byte[64])).as("all-zero signature").isFalse();
    assertThat(streamVerify(v, data, new byte[63])).isFalse();
    byte[] ff = new byte[64];
    java.util.Arrays.fill(ff, (byte) 0xff);
    assertThat(streamVerify(v, data, ff)).as("r, s out of range").isFalse();
  }

  @ParameterizedTest
  @MethodSource("suites")
  void stream_ecdsaAndSm2_matchOneShotAlgorithm(String suite) {
    PartyIdentity id = signer(suite);
    Signer s = CoreAccess.keys().signingKey(id).signer(ID);
    Verifier v = CoreAccess.certificates().publicKey(id.signingCertificate()).verifier(ID);
    byte[] data = "one piece or many".getBytes(StandardCharsets.US_ASCII);
    byte[] streamed = streamSign(s, data, new Random(1));
    if (suite.equals("INTL")) {
      // Ed25519ph differs from pure Ed25519 by design: neither verifies as the other
      assertThat(s.streamAlgorithm()).isEqualTo("Ed25519ph");
      assertThat(v.verify(data, 0, data.length, streamed)).isFalse();
      assertThat(streamVerify(v, data, s.sign(data, 0, data.length))).isFalse();
    } else {
      assertThat(s.streamAlgorithm()).isEqualTo(s.joseAlgorithm());
      assertThat(v.verify(data, 0, data.length, streamed)).isTrue();
      assertThat(streamVerify(v, data, s.sign(data, 0, data.length))).isTrue();
    }
  }

  @Test
  void stream_interleavedSm2StreamsOnOneThread_stayIndependent() {
    PartyIdentity id = TestParties.pair(Suite.GM)[0];
    Signer s = CoreAccess.keys().signingKey(id).signer(ID);
    Verifier v = CoreAccess.certificates().publicKey(id.signingCertificate()).verifier(ID);
    byte[] a = "first".getBytes(StandardCharsets.US_ASCII);
    byte[] b = "second".getBytes(StandardCharsets.US_ASCII);
    Signer.Streaming sa = s.stream(CTX);
    Signer.Streaming sb = s.stream(CTX);
    sa.update(a, 0, 2);
    sb.update(b, 0, 3);
    byte[] oneShot = s.sign(a, 0, a.length); // the thread's own signer, in between
    sa.update(a, 2, a.length - 2);
    sb.update(b, 3, b.length - 3);
    byte[] sigA = sa.finish();
    byte[] sigB = sb.finish();
    assertThat(v.verify(a, 0, a.length, sigA)).isTrue();
    assertThat(v.verify(b, 0, b.length, sigB)).isTrue();
    assertThat(v.verify(a, 0, a.length, oneShot)).isTrue();
    Verifier.Streaming va = v.stream(CTX);
    Verifier.Streaming vb = v.stream(CTX);
    va.update(a, 0, 1);
    vb.update(b, 0, b.length);
    va.update(a, 1, a.length - 1);
    assertThat(vb.finish(sigB)).isTrue();
    assertThat(va.finish(sigA)).isTrue();
    // pooled signers come back reset
    assertThat(streamVerify(v, a, sigA)).isTrue();
    assertThat(streamVerify(v, b, sigA)).isFalse();
    assertThat(streamVerify(v, a, sigA)).isTrue();
  }
}
