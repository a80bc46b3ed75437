package io.shulian.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.keys.PartyIdentity;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The push-style {@link SealingStream} and {@link OpeningStream}: same wire format, pieces of any size. */
class PushStreamTest {
  static final int SEG = FramedCodec.DEFAULT_SEGMENT_BYTES;

  static Stream<Arguments> suitesAndSizes() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (String suite : new String[] {"INTL", "INTL-P256", "GM"}) {
      for (int size : new int[] {0, 1, 63, 64, 65, SEG - 1, SEG, SEG + 1, 3 * SEG + 17}) {
        b.add(Arguments.of(suite, size));
      }
    }
    return b.build();
  }

  /** Seals {@code payload} pushed in random pieces. */
  static byte[] pushSeal(EnvelopeSealer sealer, SealRequest r, byte[] payload, Random rnd) throws Exception {
    ByteArrayOutputStream env = new ByteArrayOutputStream();
    try (SealingStream s = sealer.sealingStream(r, env)) {
      for (int at = 0; at < payload.length; ) {
        int n = Math.min(payload.length - at, 1 + rnd.nextInt(3 * SEG));
        s.write(payload, at, n);
        at += n;
      }
      s.finish();
    }
    return env.toByteArray();
  }

  /** Opens {@code env} pushed in random pieces; returns the payload. */
  static byte[] pushOpen(EnvelopeOpener opener, byte[] env, Random rnd) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OpeningStream o = opener.openingStream(out, null)) {
      for (int at = 0; at < env.length; ) {
        int n = Math.min(env.length - at, 1 + rnd.nextInt(rnd.nextBoolean() ? 7 : 2 * SEG));
        o.write(env, at, n);
        at += n;
      }
      o.finish();
    }
    return out.toByteArray();
  }

  @ParameterizedTest(name = "{0} {1} bytes")
  @MethodSource("suitesAndSizes")
  void pushSeal_pushOpenInRandomPieces_returnsSamePayload_andOpensWithOpenStream(String suite, int size)
      throws Exception {
    PartyIdentity[] p = FramedRoundTripTest.pair(suite);
    byte[] payload = new byte[size];
    Random rnd = new Random(size * 31L + suite.hashCode());
    rnd.nextBytes(payload);
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).build();
    byte[] env = pushSeal(sealer, FramedRoundTripTest.request(p[1], EnvelopeEncoding.FRAMED), payload, rnd);

    assertThat(pushOpen(FramedRoundTripTest.opener(p), env, rnd)).isEqualTo(payload);
    ByteArrayOutputStream viaPull = new ByteArrayOutputStream();
    FramedRoundTripTest.opener(p).openStream(new ByteArrayInputStream(env), viaPull);
    assertThat(viaPull.toByteArray()).isEqualTo(payload);
  }

  @Test
  void pushOpen_sealStreamOutput_opens() throws Exception {
    PartyIdentity[] p = FramedRoundTripTest.pair("GM");
    byte[] payload = new byte[2 * SEG + 5];
    new Random(3).nextBytes(payload);
    ByteArrayOutputStream env = new ByteArrayOutputStream();
    EnvelopeSealer.builder(p[0]).build()
        .sealStream(FramedRoundTripTest.request(p[1], EnvelopeEncoding.FRAMED), new ByteArrayInputStream(payload), env);

    assertThat(pushOpen(FramedRoundTripTest.opener(p), env.toByteArray(), new Random(4))).isEqualTo(payload);
  }

  @Test
  void sealingStream_closedWithoutFinish_isNoEnvelope() throws Exception {
    PartyIdentity[] p = FramedRoundTripTest.pair("INTL");
    byte[] payload = new byte[3 * SEG];
    new Random(5).nextBytes(payload);
    ByteArrayOutputStream env = new ByteArrayOutputStream();
    try (SealingStream s = EnvelopeSealer.builder(p[0]).build()
        .sealingStream(FramedRoundTripTest.request(p[1], EnvelopeEncoding.FRAMED), env)) {
      s.write(payload, 0, payload.length);
      // an exception here would leave the try block without finish()
    }

    assertThatThrownBy(() -> pushOpen(FramedRoundTripTest.opener(p), env.toByteArray(), new Random(6)))
        .isInstanceOf(EnvelopeException.class);
  }

  /** The segments (length prefix included) of a framed envelope, after its preamble. */
  static List<byte[]> segments(byte[] env, int[] preambleLength) {
    int l = ((env[5] & 0xff) << 8) | (env[6] & 0xff);
    int at = FramedCodec.PREAMBLE_FIXED_BYTES + l;
    preambleLength[0] = at;
    List<byte[]> out = new ArrayList<>();
    while (at < env.length) {
      int n = (int) FramedCodec.u32(env, at) + FramedCodec.LENGTH_BYTES;
      out.add(java.util.Arrays.copyOfRange(env, at, at + n));
      at += n;
    }
    return out;
  }

  static byte[] join(byte[] env, int preamble, List<byte[]> segs) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(env, 0, preamble);
    segs.forEach(s -> b.write(s, 0, s.length));
    return b.toByteArray();
  }

  @Test
  void pushOpen_truncatedReorderedDuplicatedOrSubstitutedSegments_fail() throws Exception {
    PartyIdentity[] p = FramedRoundTripTest.pair("INTL");
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).build();
    byte[] payload = new byte[4 * SEG];
    new Random(8).nextBytes(payload);
    byte[] env = pushSeal(sealer, FramedRoundTripTest.request(p[1], EnvelopeEncoding.FRAMED), payload, new Random(9));
    byte[] other = pushSeal(sealer, FramedRoundTripTest.request(p[1], EnvelopeEncoding.FRAMED), payload, new Random(10));
    int[] pre = new int[1];
    List<byte[]> segs = segments(env, pre);
    int[] otherPre = new int[1];
    List<byte[]> otherSegs = segments(other, otherPre);
    assertThat(segs).hasSize(5);

    List<byte[]> truncated = new ArrayList<>(segs.subList(0, 3));
    List<byte[]> reordered = new ArrayList<>(segs);
    java.util.Collections.swap(reordered, 1, 2);
    List<byte[]> duplicated = new ArrayList<>(segs);
    duplicated.add(2, segs.get(2));
    List<byte[]> substituted = new ArrayList<>(segs);
    substituted.set(2, otherSegs.get(2));
    List<byte[]> dropped = new ArrayList<>(segs);
    dropped.remove(1);
    for (List<byte[]> bad : List.of(truncated, reordered, duplicated, substituted, dropped)) {
      byte[] forged = join(env, pre[0], bad);
      assertThatThrownBy(() -> pushOpen(FramedRoundTripTest.opener(p), forged, new Random(11)))
          .isInstanceOf(EnvelopeException.class);
    }
    // cut inside a segment
    byte[] cut = java.util.Arrays.copyOf(env, env.length - 100);
    assertThatThrownBy(() -> pushOpen(FramedRoundTripTest.opener(p), cut, new Random(12)))
        .isInstanceOf(MalformedEnvelopeException.class);
    // the original still opens
    assertThat(pushOpen(FramedRoundTripTest.opener(p), env, new Random(13))).isEqualTo(payload);
  }

  @Test
  void openingStream_headerKnownBeforePayload_andVerifiedOnlyAtFinish() throws Exception {
    PartyIdentity[] p = FramedRoundTripTest.pair("INTL");
    byte[] payload = new byte[2 * SEG];
    byte[] env = pushSeal(EnvelopeSealer.builder(p[0]).build(),
        FramedRoundTripTest.request(p[1], EnvelopeEncoding.FRAMED), payload, new Random(14));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OpeningStream o = FramedRoundTripTest.opener(p).openingStream(out, p[1].party());

    o.write(env, 0, env.length);
    assertThat(o.header()).isPresent();
    assertThatThrownBy(o::finish).isInstanceOf(SenderMismatchException.class);
    assertThatThrownBy(() -> o.write(env, 0, 1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void openingStream_replayedEnvelope_failsAtFinish() throws Exception {
    PartyIdentity[] p = FramedRoundTripTest.pair("INTL");
    byte[] env = pushSeal(EnvelopeSealer.builder(p[0]).build(),
        FramedRoundTripTest.request(p[1], EnvelopeEncoding.FRAMED), new byte[10], new Random(15));
    EnvelopeOpener opener = FramedRoundTripTest.opener(p);
    pushOpen(opener, env, new Random(16));

    assertThatThrownBy(() -> pushOpen(opener, env, new Random(17))).isInstanceOf(ReplayedEnvelopeException.class);
  }
}
