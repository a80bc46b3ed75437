package io.shulian.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.PinnedSenderTrust;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every single-bit flip and every truncation of a small framed envelope, and sampled flips and
 * truncations of a multi-segment one, must fail to open through both APIs with an
 * {@link EnvelopeException}: never an unchecked exception, never success. Replay protection is off
 * so that it is not what rejects a mutant.
 */
class FramedMutationTest {
  private static final ReplayCache NEVER_SEEN = (id, forgetAfter) -> true;
  private static final byte[] SMALL = "{\"case\":\"2026-0417\",\"ok\":true}".getBytes(StandardCharsets.UTF_8);
  private static final int SEG = FramedCodec.MIN_SEGMENT_BYTES;

  static Stream<String> suites() {
    return Stream.of("INTL", "INTL-P256", "GM");
  }

  private static final class Fixture {
    final byte[] payload;
    final byte[] envelope;
    final EnvelopeOpener opener;

    Fixture(String suite, byte[] payload) throws EnvelopeException {
      PartyIdentity[] p = EnvelopeForge.pair(suite);
      this.payload = payload;
      this.envelope =
          EnvelopeSealer.builder(p[0]).framedSegmentBytes(SEG).build()
              .seal(SealRequest.builder()
                      .recipient(p[1].encryptionCertificate())
                      .resource("HOUSING-001")
                      .purpose("social-assistance-review")
                      .encoding(EnvelopeEncoding.FRAMED)
                      .build(),
                  payload)
              .toByteArray();
      this.opener =
          EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).replayCache(NEVER_SEEN).build();
    }

    void assertOriginalOpens() throws Exception {
      assertThat(opener.open(envelope).payload()).isEqualTo(payload);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      opener.openStream(new ByteArrayInputStream(envelope), out);
      assertThat(out.toByteArray()).isEqualTo(payload);
    }

    /** Returns a description of the mutant if it opened or threw anything but an EnvelopeException. */
    String check(byte[] mutant, boolean stream, String what) {
      try {
        if (stream) {
          opener.openStream(new ByteArrayInputStream(mutant), new ByteArrayOutputStream());
        } else {
          opener.open(mutant);
        }
        return what + (stream ? " (stream)" : "") + ": opened";
      } catch (EnvelopeException expected) {
        return null;
      } catch (IOException | RuntimeException e) {
        return what + (stream ? " (stream)" : "") + ": " + e;
      }
    }
  }

  @ParameterizedTest
  @MethodSource("suites")
  void open_everySingleBitFlipOfSmallEnvelope_fails(String suite) throws Exception {
    Fixture f = new Fixture(suite, SMALL);
    f.assertOriginalOpens();
    List<String> escaped = new ArrayList<>();
    for (int i = 0; i < f.envelope.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] m = f.envelope.clone();
        m[i] ^= (byte) (1 << bit);
        // the stream API on every eighth flip: the same code path after the source
        String e = f.check(m, (i + bit) % 8 == 0, "flip of bit " + bit + " at " + i);
        if (e != null) {
          escaped.add(e);
        }
      }
    }
    assertThat(escaped).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("suites")
  void open_everyTruncationOfSmallEnvelope_fails(String suite) throws Exception {
    Fixture f = new Fixture(suite, SMALL);
    List<String> escaped = new ArrayList<>();
    for (int len = 0; len < f.envelope.length; len++) {
      byte[] m = Arrays.copyOf(f.envelope, len);
      for (boolean stream : new boolean[] {false, true}) {
        String e = f.check(m, stream, "prefix of " + len + " bytes");
        if (e != null) {
          escaped.add(e);
        }
      }
    }
    assertThat(escaped).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("suites")
  void open_sampledMutationsOfMultiSegmentEnvelope_fail(String suite) throws Exception {
    byte[] payload = new byte[4 * SEG + 999];
    Random random = new Random(suite.hashCode());
    random.nextBytes(payload);
    Fixture f = new Fixture(suite, payload);
    f.assertOriginalOpens();
    List<String> escaped = new ArrayList<>();
    for (int n = 0; n < 300; n++) {
      byte[] flip = f.envelope.clone();
      int at = random.nextInt(flip.length);
      flip[at] ^= (byte) (1 << random.nextInt(8));
      byte[] cut = Arrays.copyOf(f.envelope, random.nextInt(f.envelope.length));
      for (String e : new String[] {
        f.check(flip, n % 2 == 0, "flip at " + at), f.check(cut, n % 2 == 1, "prefix of " + cut.length)}) {
        if (e != null) {
          escaped.add(e);
        }
      }
    }
    // every truncation at a segment boundary, and at each boundary +-1
    int at = FramedCodec.PREAMBLE_FIXED_BYTES + (((f.envelope[5] & 0xff) << 8) | (f.envelope[6] & 0xff));
    while (at < f.envelope.length) {
      for (int d = -1; d <= 1; d++) {
        String e = f.check(Arrays.copyOf(f.envelope, at + d), d == 0, "prefix of " + (at + d));
        if (e != null) {
          escaped.add(e);
        }
      }
      at += 4 + (int) FramedCodec.u32(f.envelope, at);
    }
    assertThat(escaped).isEmpty();
  }
}
