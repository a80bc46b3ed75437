package io.shulian.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzz targets for framed envelopes through {@link EnvelopeOpener#open} and
 * {@link EnvelopeOpener#openStream}: whatever bytes arrive, the opener either opens a genuine
 * envelope or throws an {@link EnvelopeException}; anything else escapes and fails, and so does
 * opening anything but an unchanged seed.
 *
 * <p>Inputs go to three receivers (INTL Ed25519/X25519, INTL P-256, GM) whose keys match the seeds
 * in {@code FramedOpenerFuzzTestInputs/}. The first target takes the input as the whole envelope
 * (preamble and outer header parsing, segment layout); the second takes it as the plaintext stream
 * (signed header, payload, signature) and encrypts it to each receiver in 4 KiB segments, so that
 * mutations reach signed-header parsing, the allow-list, trust lookup, the streaming signature and
 * the segment and signature boundaries. A normal build replays the seeds (regression mode);
 * {@code JAZZER_FUZZ=1} fuzzes one target, see docs/fuzzing.md.
 */
class FramedOpenerFuzzTest {
  private static final List<FramedFuzzFixtures.Receiver> RECEIVERS = FramedFuzzFixtures.receivers();
  private static final Map<String, byte[]> OUTER_SEEDS = FramedFuzzFixtures.seeds(FramedFuzzFixtures.OUTER);
  private static final Map<String, byte[]> INNER_SEEDS = FramedFuzzFixtures.seeds(FramedFuzzFixtures.INNER);

  @FuzzTest(maxDuration = "30s")
  void openFramed_arbitraryBytes_throwsOnlyEnvelopeException(byte[] data) {
    for (FramedFuzzFixtures.Receiver r : RECEIVERS) {
      openOrReject(r.opener, data, data, OUTER_SEEDS.values());
    }
  }

  @FuzzTest(maxDuration = "30s")
  void openFramed_arbitraryPlaintext_throwsOnlyEnvelopeException(byte[] plaintext) {
    for (FramedFuzzFixtures.Receiver r : RECEIVERS) {
      openOrReject(r.opener, r.framer.frame(plaintext), plaintext, INNER_SEEDS.values());
      openOrReject(r.opener, r.framerV2.frame(plaintext), plaintext, INNER_SEEDS.values());
    }
  }

  /** The fixtures are still valid: each receiver opens its own v2 and v1 seeds, through both APIs. */
  @Test
  void seeds_ofEachSuite_openForTheirReceiver() throws Exception {
    for (FramedFuzzFixtures.Receiver r : RECEIVERS) {
      for (String v : new String[] {"", "v1-"}) {
        int opened = 0;
        for (Map.Entry<String, byte[]> seed : OUTER_SEEDS.entrySet()) {
          if (seed.getKey().matches(r.suite + "-" + v + "[0-9]+\\.shf")) {
            assertThat(seed.getValue()[4]).as(seed.getKey()).isEqualTo((byte) (v.isEmpty() ? 2 : 1));
            assertThat(r.opener.open(seed.getValue()).header().receiver()).isEqualTo(r.identity.party());
            r.opener.openStream(new ByteArrayInputStream(seed.getValue()), new ByteArrayOutputStream());
            opened++;
          }
        }
        assertThat(opened).as("seed envelopes %s of %s", v, r.suite).isEqualTo(3);
      }
      byte[] plain = INNER_SEEDS.get(r.suite + "-5000.plain");
      assertThat(plain).as("v2 plaintext seed of %s", r.suite).isNotNull();
      assertThat(r.opener.open(r.framerV2.frame(plain)).payloadSize()).isEqualTo(5000);
      byte[] plainV1 = INNER_SEEDS.get(r.suite + "-v1-5000.plain");
      assertThat(plainV1).as("v1 plaintext seed of %s", r.suite).isNotNull();
      assertThat(r.opener.open(r.framer.frame(plainV1)).payloadSize()).isEqualTo(5000);
    }
  }

  /** Only an EnvelopeException may come out, through either API, and only a seed may open. */
  private static void openOrReject(EnvelopeOpener opener, byte[] envelope, byte[] input, Collection<byte[]> seeds) {
    boolean opened = false;
    try {
      opener.open(envelope);
      opened = true;
    } catch (EnvelopeException expected) {
      // fine
    }
    try {
      opener.openStream(new ByteArrayInputStream(envelope), new ByteArrayOutputStream());
      opened = true;
    } catch (EnvelopeException expected) {
      // fine
    } catch (IOException e) {
      throw new AssertionError("openStream of an in-memory stream threw " + e, e);
    }
    if (opened && seeds.stream().noneMatch(s -> Arrays.equals(s, input))) {
      throw new AssertionError("an input that is not one of the seeds opened (" + input.length + " bytes)");
    }
  }
}
