package io.shulian.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.PinnedSenderTrust;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every single-bit flip, every truncation and a set of extensions of a sealed envelope must fail
 * to open, with an {@link EnvelopeException} (never an unchecked exception, never success). The
 * opener's replay cache never reports an id as seen, so that replay protection is not what rejects
 * a mutant whose envelope id is unchanged.
 */
class EnvelopeMutationTest {
  /** Replay protection off: every mutant carries the original's envelope id. */
  private static final ReplayCache NEVER_SEEN = (id, forgetAfter) -> true;

  private static final byte[] PAYLOAD = "{\"case\":\"2026-0417\",\"ok\":true}".getBytes(StandardCharsets.UTF_8);

  static Stream<String> suites() {
    return Stream.of("INTL", "INTL-P256", "GM");
  }

  /** A sealed envelope of the suite and an opener for it (with replay protection off). */
  private static final class Fixture {
    final byte[] envelope;
    final EnvelopeOpener opener;

    Fixture(String suite) throws EnvelopeException {
      PartyIdentity[] p = EnvelopeForge.pair(suite);
      Clock clock = Clock.systemUTC();
      this.envelope =
          EnvelopeSealer.builder(p[0]).clock(clock).build()
              .seal(
                  SealRequest.builder()
                      .recipient(p[1].encryptionCertificate())
                      .resource("HOUSING-001")
                      .purpose("social-assistance-review")
                      .contentType("application/json")
                      .build(),
                  PAYLOAD)
              .toByteArray();
      this.opener =
          EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates()))
              .clock(clock)
              .replayCache(NEVER_SEEN)
              .build();
    }

    /** Opens the original twice: the setup works, and replay protection is really off. */
    void assertOriginalOpens() throws EnvelopeException {
      assertThat(opener.open(envelope).payload()).isEqualTo(PAYLOAD);
      assertThat(opener.open(envelope).payload()).isEqualTo(PAYLOAD);
    }
  }

  /** Collects mutants that did not fail as they must. */
  private static final class Outcomes {
    final List<String> wrong = new ArrayList<>();
    int tried;

    void expectRejected(EnvelopeOpener opener, byte[] mutant, String what) {
      tried++;
      try {
        opener.open(mutant);
        wrong.add(what + ": opened");
      } catch (EnvelopeException expected) {
        // the only acceptable outcome
      } catch (RuntimeException | Error e) {
        wrong.add(what + ": " + e);
      }
    }

    void assertAllRejected(int atLeast) {
      assertThat(tried).isGreaterThanOrEqualTo(atLeast);
      assertThat(wrong).as("mutants that did not fail with an EnvelopeException (of %d)", tried).isEmpty();
    }
  }

  @ParameterizedTest
  @MethodSource("suites")
  void open_everySingleBitFlip_fails(String suite) throws Exception {
    Fixture f = new Fixture(suite);
    f.assertOriginalOpens();
    Outcomes o = new Outcomes();
    byte[] m = f.envelope.clone();
    for (int i = 0; i < m.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        m[i] ^= (byte) (1 << bit);
        o.expectRejected(f.opener, m, "flip of bit " + bit + " of byte " + i);
        m[i] ^= (byte) (1 << bit);
      }
    }
    o.assertAllRejected(8 * f.envelope.length);
    f.assertOriginalOpens();
  }

  @ParameterizedTest
  @MethodSource("suites")
  void open_everyTruncation_fails(String suite) throws Exception {
    Fixture f = new Fixture(suite);
    Outcomes o = new Outcomes();
    for (int len = 0; len < f.envelope.length; len++) {
      o.expectRejected(f.opener, Arrays.copyOf(f.envelope, len), "prefix of " + len + " bytes");
      o.expectRejected(f.opener, Arrays.copyOfRange(f.envelope, f.envelope.length - len, f.envelope.length),
          "suffix of " + len + " bytes");
    }
    o.assertAllRejected(2 * f.envelope.length);
    f.assertOriginalOpens();
  }

  private static final String[] EXTRA = {"A", "AA", "AAA", "AAAA", "Zm9v", ".", "..", ".AAAA", "=", "==", " ", "\n", "\r\n", "\0"};

  @ParameterizedTest
  @MethodSource("suites")
  void open_extensions_fail(String suite) throws Exception {
    Fixture f = new Fixture(suite);
    String env = new String(f.envelope, StandardCharsets.US_ASCII);
    String[] parts = EnvelopeForge.parts(f.envelope);
    assertThat(parts).hasSize(5);
    Outcomes o = new Outcomes();
    for (String x : EXTRA) {
      o.expectRejected(f.opener, bytes(env + x), "appended '" + x + "'");
      o.expectRejected(f.opener, bytes(x + env), "prepended '" + x + "'");
    }
    o.expectRejected(f.opener, bytes(env + "." + parts[4]), "tag repeated as a sixth part");
    o.expectRejected(f.opener, bytes(env + env), "envelope twice");
    o.expectRejected(f.opener, bytes(env + "." + env), "envelope twice, dot-separated");
    for (int i = 0; i < parts.length; i++) {
      for (String x : EXTRA) {
        String[] q = parts.clone();
        q[i] = x + parts[i];
        o.expectRejected(f.opener, bytes(String.join(".", q)), "'" + x + "' before part " + i);
        q[i] = parts[i] + x;
        o.expectRejected(f.opener, bytes(String.join(".", q)), "'" + x + "' after part " + i);
      }
      List<String> dup = new ArrayList<>(Arrays.asList(parts));
      dup.add(i, parts[i]);
      o.expectRejected(f.opener, bytes(String.join(".", dup)), "part " + i + " duplicated");
      for (int j = 0; j < parts.length; j++) {
        if (!parts[j].equals(parts[i])) {
          String[] q = parts.clone();
          q[i] = parts[j];
          o.expectRejected(f.opener, bytes(String.join(".", q)), "part " + i + " replaced by part " + j);
        }
      }
    }
    o.assertAllRejected(100);
    f.assertOriginalOpens();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
