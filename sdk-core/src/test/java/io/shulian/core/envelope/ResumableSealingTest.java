package io.shulian.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.keys.PartyIdentity;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Continuing a framed envelope after a cut ({@link EnvelopeSealer#resumeSealingStream}). */
class ResumableSealingTest {
  static final int SEG = FramedCodec.DEFAULT_SEGMENT_BYTES;

  /** Writes at most {@code limit} bytes, then fails as a cut connection does. */
  static final class CutOutput extends OutputStream {
    final ByteArrayOutputStream got = new ByteArrayOutputStream();
    final long limit;

    CutOutput(long limit) {
      this.limit = limit;
    }

    @Override
    public void write(int b) throws java.io.IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws java.io.IOException {
      int n = (int) Math.min(len, limit - got.size());
      got.write(b, off, n);
      if (n < len) {
        throw new java.io.IOException("cut");
      }
    }
  }

  /** Offset just after the last complete segment of {@code prefix}, and how many there are. */
  static long[] completeSegments(byte[] prefix) {
    int l = ((prefix[5] & 0xff) << 8) | (prefix[6] & 0xff);
    long at = FramedCodec.PREAMBLE_FIXED_BYTES + l;
    long n = 0;
    while (at + 4 <= prefix.length) {
      long c = FramedCodec.u32(prefix, (int) at);
      if (at + 4 + c > prefix.length) {
        break;
      }
      at += 4 + c;
      n++;
    }
    return new long[] {at, n};
  }

  static void push(SealingStream s, byte[] payload, Random rnd) throws java.io.IOException {
    for (int at = 0; at < payload.length; ) {
      int n = Math.min(payload.length - at, 1 + rnd.nextInt(2 * SEG));
      s.write(payload, at, n);
      at += n;
    }
    s.finish();
  }

  @ParameterizedTest(name = "{0} seed {1}")
  @CsvSource({"INTL,1", "INTL,2", "INTL-P256,3", "INTL-P256,4", "GM,5", "GM,6"})
  void cutAtRandomPoints_resumedFromLastCompleteSegment_opensToSamePayload(String suite, long seed) throws Exception {
    PartyIdentity[] p = FramedRoundTripTest.pair(suite);
    Random rnd = new Random(seed);
    byte[] payload = new byte[5 * SEG + rnd.nextInt(SEG)];
    rnd.nextBytes(payload);
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).build();
    SealRequest r = FramedRoundTripTest.request(p[1], EnvelopeEncoding.FRAMED);
    // the first attempt and every continuation are cut at a random point, until one completes
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    StreamResumption resumption = null;
    byte[] preamble = null;
    for (int attempt = 0; attempt < 50; attempt++) {
      CutOutput out = new CutOutput(attempt == 49 ? Long.MAX_VALUE : 1 + rnd.nextInt(3 * SEG));
      long from = 0;
      if (resumption != null) {
        from = completeSegments(received.toByteArray())[1];
      }
      try (SealingStream s = resumption == null
          ? sealer.resumableSealingStream(r, out)
          : sealer.resumeSealingStream(resumption, from, out)) {
        resumption = s.resumption().orElseThrow();
        push(s, payload, rnd);
      } catch (java.io.IOException cut) {
        // the connection is gone: what arrived is kept up to the last complete segment
      }
      byte[] got = out.got.toByteArray();
      if (preamble == null) {
        preamble = got;
        received.write(got);
      } else {
        byte[] kept = Arrays.copyOf(received.toByteArray(), (int) completeSegments(received.toByteArray())[0]);
        int pl = FramedCodec.PREAMBLE_FIXED_BYTES + (((kept[5] & 0xff) << 8) | (kept[6] & 0xff));
        if (got.length < pl) {
          continue; // cut within the preamble again
        }
        assertThat(Arrays.copyOf(got, pl)).isEqualTo(Arrays.copyOf(kept, pl));
        received.reset();
        received.write(kept);
        received.write(got, pl, got.length - pl);
      }
      if (resumption.finished() && !resumption.inUse() && out.got.size() < out.limit) {
        break;
      }
    }
    assertThat(FramedRoundTripTest.opener(p).open(received.toByteArray()).payload()).isEqualTo(payload);
    resumption.destroy();
  }

  /** Seals {@code payload[0, len)} resumably and stops (a cut): its resumption. */
  static StreamResumption sealedUpTo(EnvelopeSealer sealer, PartyIdentity to, byte[] payload, int len)
      throws Exception {
    try (SealingStream s = sealer.resumableSealingStream(FramedRoundTripTest.request(to, EnvelopeEncoding.FRAMED),
        new ByteArrayOutputStream())) {
      s.write(payload, 0, len);
      return s.resumption().orElseThrow();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"INTL", "GM"})
  void resume_payloadChangedInASegmentSentBefore_refusedBeforeAnythingOfItIsWritten(String suite) throws Exception {
    PartyIdentity[] p = FramedRoundTripTest.pair(suite);
    byte[] payload = new byte[4 * SEG];
    new Random(7).nextBytes(payload);
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).build();
    StreamResumption res = sealedUpTo(sealer, p[1], payload, 3 * SEG + 1);
    assertThat(res.segmentsSealed()).isEqualTo(3);
    byte[] changed = payload.clone();
    changed[2 * SEG + 100] ^= 1; // in segment 2 (the signed header shifts the payload by a little)
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (SealingStream s = sealer.resumeSealingStream(res, 1, out)) {
      assertThatThrownBy(() -> s.write(changed, 0, changed.length))
          .isInstanceOf(StreamResumption.MismatchException.class);
    }
    int preamble = out.size();
    // only the preamble and segment 1 (unchanged) went out
    assertThat(completeSegments(out.toByteArray())[1]).isEqualTo(1);
    assertThat(preamble).isGreaterThan(0);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"INTL", "GM"})
  void resume_payloadChangedInASegmentBeforeTheAskedOne_refusedAndOnlyThePreambleWritten(String suite)
      throws Exception {
    PartyIdentity[] p = FramedRoundTripTest.pair(suite);
    byte[] payload = new byte[4 * SEG];
    new Random(8).nextBytes(payload);
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).build();
    StreamResumption res = sealedUpTo(sealer, p[1], payload, 3 * SEG + 1);
    byte[] changed = payload.clone();
    changed[SEG / 2] ^= 1; // in segment 0, only checked (not sent) by a continuation from segment 2
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (SealingStream s = sealer.resumeSealingStream(res, 2, out)) {
      assertThatThrownBy(() -> s.write(changed, 0, changed.length))
          .isInstanceOf(StreamResumption.MismatchException.class)
          .satisfies(e -> assertThat(((StreamResumption.MismatchException) e).segment()).isZero());
    }
    assertThat(completeSegments(out.toByteArray())[1]).isZero();
    assertThat(completeSegments(out.toByteArray())[0]).isEqualTo(out.size()); // the preamble alone
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"INTL,longer", "INTL,shorter", "GM,longer", "GM,shorter"})
  void resume_finishedEnvelope_payloadNowLongerOrShorter_lastSegmentRefusedNotSealedAgain(String suite, String how)
      throws Exception {
    PartyIdentity[] p = FramedRoundTripTest.pair(suite);
    byte[] payload = new byte[2 * SEG + 100];
    new Random(9).nextBytes(payload);
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).build();
    StreamResumption res;
    try (SealingStream s = sealer.resumableSealingStream(FramedRoundTripTest.request(p[1], EnvelopeEncoding.FRAMED),
        new ByteArrayOutputStream())) {
      s.write(payload, 0, payload.length);
      s.finish();
      res = s.resumption().orElseThrow();
    }
    assertThat(res.segmentsSealed()).isEqualTo(3);
    // longer: what was the last segment is no longer the last; shorter: segment 1 becomes the last
    byte[] again = how.equals("longer") ? Arrays.copyOf(payload, payload.length + 5 * SEG)
        : Arrays.copyOf(payload, SEG + 10);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (SealingStream s = sealer.resumeSealingStream(res, 1, out)) {
      assertThatThrownBy(() -> {
        s.write(again, 0, again.length);
        s.finish();
      }).isInstanceOf(StreamResumption.MismatchException.class);
    }
    // nothing of the refused segment went out
    long[] complete = completeSegments(out.toByteArray());
    assertThat(complete[0]).isEqualTo(out.size());
    assertThat(complete[1]).isEqualTo(how.equals("longer") ? 1 : 0);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"INTL"})
  void resume_whileAnotherStreamIsOpen_beyondWhatWasSealed_orDestroyed_refused(String suite) throws Exception {
    PartyIdentity[] p = FramedRoundTripTest.pair(suite);
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).build();
    SealingStream s = sealer.resumableSealingStream(FramedRoundTripTest.request(p[1], EnvelopeEncoding.FRAMED),
        new ByteArrayOutputStream());
    s.write(new byte[2 * SEG + 1], 0, 2 * SEG + 1);
    StreamResumption res = s.resumption().orElseThrow();
    assertThatThrownBy(() -> sealer.resumeSealingStream(res, 0, new ByteArrayOutputStream()))
        .isInstanceOf(IllegalStateException.class);
    s.close();
    assertThatThrownBy(() -> sealer.resumeSealingStream(res, 3, new ByteArrayOutputStream()))
        .isInstanceOf(IllegalArgumentException.class);
    res.destroy();
    assertThatThrownBy(() -> sealer.resumeSealingStream(res, 1, new ByteArrayOutputStream()))
        .isInstanceOf(IllegalStateException.class);
  }
}
