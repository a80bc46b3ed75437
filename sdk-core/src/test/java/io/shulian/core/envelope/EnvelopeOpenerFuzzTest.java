package io.shulian.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzz targets for {@link EnvelopeOpener#open}: whatever bytes arrive, the opener either opens a
 * genuine envelope or throws an {@link EnvelopeException}. Any other exception (a parser's
 * unchecked exception, a stack overflow, an out-of-memory) escapes and fails the test, and so does
 * opening anything but an unchanged seed.
 *
 * <p>Inputs go to three receivers (INTL Ed25519/X25519, INTL P-256, GM) whose keys match the seeds
 * in {@code EnvelopeOpenerFuzzTestInputs/}. The first target takes the input as the whole
 * envelope; random bytes rarely get past authenticated decryption, so the second target encrypts
 * its input to each receiver and so fuzzes the inner JWS, which anyone holding a receiver's public
 * certificate can choose. In a normal build both replay their seeds (regression mode);
 * {@code JAZZER_FUZZ=1} fuzzes one of them, see docs/fuzzing.md.
 */
class EnvelopeOpenerFuzzTest {
  private static final List<FuzzFixtures.Receiver> RECEIVERS = FuzzFixtures.receivers();
  private static final Map<String, byte[]> OUTER_SEEDS = FuzzFixtures.seeds(FuzzFixtures.OUTER);
  private static final Map<String, byte[]> INNER_SEEDS = FuzzFixtures.seeds(FuzzFixtures.INNER);

  @FuzzTest(maxDuration = "30s")
  void open_arbitraryBytes_throwsOnlyEnvelopeException(byte[] data) {
    for (FuzzFixtures.Receiver r : RECEIVERS) {
      openOrReject(r.opener, data, data, OUTER_SEEDS.values());
    }
  }

  @FuzzTest(maxDuration = "30s")
  void open_arbitraryInnerJws_throwsOnlyEnvelopeException(byte[] jws) {
    for (FuzzFixtures.Receiver r : RECEIVERS) {
      openOrReject(r.opener, r.encrypter.encrypt(jws), jws, INNER_SEEDS.values());
    }
  }

  /** The fixtures are still valid: each receiver opens its own seed envelopes and inner JWS. */
  @Test
  void seeds_ofEachSuite_openForTheirReceiver() throws Exception {
    for (FuzzFixtures.Receiver r : RECEIVERS) {
      int opened = 0;
      for (Map.Entry<String, byte[]> seed : OUTER_SEEDS.entrySet()) {
        if (seed.getKey().matches(r.suite + "-[0-9]+\\.jwe")) {
          assertThat(r.opener.open(seed.getValue()).header().receiver()).isEqualTo(r.identity.party());
          opened++;
        }
      }
      assertThat(opened).as("seed envelopes of %s", r.suite).isEqualTo(3);
      byte[] jws = INNER_SEEDS.get(r.suite + ".jws");
      assertThat(jws).as("inner seed of %s", r.suite).isNotNull();
      assertThat(r.opener.open(EnvelopeForge.encrypt(r.identity.encryptionCertificate(), jws)).payloadSize()).isEqualTo(7);
    }
  }

  /** Only an EnvelopeException may come out, and only a seed may open. */
  private static void openOrReject(EnvelopeOpener opener, byte[] envelope, byte[] input, Collection<byte[]> seeds) {
    try {
      opener.open(envelope);
    } catch (EnvelopeException expected) {
      return;
    }
    if (seeds.stream().noneMatch(s -> Arrays.equals(s, input))) {
      throw new AssertionError("an input that is not one of the seeds opened (" + input.length + " bytes)");
    }
  }
}
