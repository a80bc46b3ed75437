package io.shulian.core.envelope;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.keys.KeyAlgorithm;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.TestParties;
import io.shulian.core.trust.PinnedSenderTrust;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Fixed key material and seed envelopes for {@link EnvelopeOpenerFuzzTest}. The fuzzer needs
 * valid envelopes as seeds, so the receivers' keys must be the same in every run: they are stored
 * under {@code src/test/resources/io/shulian/core/envelope/fuzz/} (test-only keys, published in
 * this repository, never to be used for anything else) together with the instant the seeds were
 * sealed at, which is the openers' fixed clock.
 *
 * <p>Regenerate (after a change of the wire format) with {@code main}, run from {@code sdk-core}
 * on the test class path; see docs/fuzzing.md.
 */
final class FuzzFixtures {
  static final char[] PASSWORD = "fuzz-test-only".toCharArray();
  static final String RESOURCES = "/io/shulian/core/envelope/fuzz/";
  static final String[] SUITES = {"intl", "intl-p256", "gm"};
  static final String SEEDS = "io/shulian/core/envelope/EnvelopeOpenerFuzzTestInputs/";
  static final String OUTER = "open_arbitraryBytes_throwsOnlyEnvelopeException";
  static final String INNER = "open_arbitraryInnerJws_throwsOnlyEnvelopeException";

  private FuzzFixtures() {}

  /** Replay protection off, so that seed envelopes open every time they are run. */
  static final ReplayCache NEVER_SEEN = (id, forgetAfter) -> true;

  /** One receiver of a suite and an opener for it (trusting the stored sender, at the seal instant). */
  static final class Receiver {
    final String suite;
    final PartyIdentity identity;
    final EnvelopeOpener opener;
    final EnvelopeForge.FixedKeyEncrypter encrypter;

    Receiver(String suite, PartyIdentity identity, EnvelopeOpener opener) {
      this.suite = suite;
      this.identity = identity;
      this.opener = opener;
      this.encrypter = new EnvelopeForge.FixedKeyEncrypter(identity.encryptionCertificate());
    }
  }

  /** One receiver per suite, with keys matching the seed envelopes. */
  static List<Receiver> receivers() {
    try {
      Instant at = sealedAt();
      List<Receiver> out = new ArrayList<>();
      for (String s : SUITES) {
        PartyIdentity receiver = PartyIdentity.fromPkcs12(bytes(s + "-receiver.p12"), PASSWORD);
        List<PartyCertificate> sender = PartyCertificate.fromPem(text(s + "-sender.pem"));
        EnvelopeOpener opener =
            EnvelopeOpener.builder(receiver, PinnedSenderTrust.of(sender))
                .clock(Clock.fixed(at, ZoneOffset.UTC))
                .replayCache(NEVER_SEEN)
                .build();
        out.add(new Receiver(s, receiver, opener));
      }
      return out;
    } catch (Exception e) {
      throw new IllegalStateException("fuzz fixtures missing or invalid: " + e.getMessage(), e);
    }
  }

  static Instant sealedAt() {
    return Instant.ofEpochSecond(Long.parseLong(text("sealed-at.txt").trim()));
  }

  /** Reads the seed files of one fuzz test method from the test class path. */
  static Map<String, byte[]> seeds(String method) {
    URL dir = FuzzFixtures.class.getResource("/" + SEEDS + method);
    if (dir == null || !"file".equals(dir.getProtocol())) {
      return Map.of();
    }
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
      for (Path p : (Iterable<Path>) files::iterator) {
        out.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  private static byte[] bytes(String name) {
    try (InputStream in = FuzzFixtures.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException("test resource " + RESOURCES + name + " is missing");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String text(String name) {
    return new String(bytes(name), StandardCharsets.US_ASCII);
  }

  private static PartyIdentity[] generate(String suite) {
    Duration validity = Duration.ofDays(3650);
    switch (suite) {
      case "intl-p256":
        return new PartyIdentity[] {
          PartyIdentity.generateSelfSigned(KeyAlgorithm.P256, KeyAlgorithm.P256, TestParties.HOUSING, validity),
          PartyIdentity.generateSelfSigned(KeyAlgorithm.P256, KeyAlgorithm.P256, TestParties.CIVIL, validity)
        };
      default:
        Suite s = suite.equals("gm") ? Suite.GM : Suite.INTL;
        return new PartyIdentity[] {
          PartyIdentity.generateSelfSigned(s, TestParties.HOUSING, validity),
          PartyIdentity.generateSelfSigned(s, TestParties.CIVIL, validity)
        };
    }
  }

  /**
   * Writes new keys, the seal instant and seed envelopes.
   *
   * @param args the test resources root, e.g. {@code src/test/resources}
   */
  public static void main(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources");
    Path fixtures = root.resolve(RESOURCES.substring(1));
    Path seeds = root.resolve(SEEDS + OUTER);
    Path innerSeeds = root.resolve(SEEDS + INNER);
    Files.createDirectories(fixtures);
    Files.createDirectories(seeds);
    Files.createDirectories(innerSeeds);
    Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Files.writeString(fixtures.resolve("sealed-at.txt"), at.getEpochSecond() + "\n");
    for (String s : SUITES) {
      PartyIdentity[] p = generate(s);
      p[1].store(fixtures.resolve(s + "-receiver.p12"), PASSWORD);
      Files.writeString(fixtures.resolve(s + "-sender.pem"), PartyCertificate.toPem(p[0].certificates()));
      // inner JWS seeds: what a sender signs, before encryption (the fuzz test encrypts its input)
      ObjectNode h =
          EnvelopeForge.jwsHeader(p[0], p[1].party(), at, at.plus(SealRequest.DEFAULT_TTL));
      Files.write(innerSeeds.resolve(s + ".jws"),
          EnvelopeForge.signedJws(h, "{\"a\":1}".getBytes(StandardCharsets.US_ASCII), p[0]));
      EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).clock(Clock.fixed(at, ZoneOffset.UTC)).build();
      int[] sizes = {0, 1, 100};
      for (int size : sizes) {
        SealRequest.Builder req =
            SealRequest.builder()
                .recipient(p[1].encryptionCertificate())
                .resource("HOUSING-001")
                .purpose("social-assistance-review")
                .contentType("application/json");
        if (size == 100) {
          req.grantRef("grant-7").traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
              .correlationId(EnvelopeForge.newId());
        }
        byte[] payload = "{\"a\":1}".repeat(size / 7 + 1).substring(0, size).getBytes(StandardCharsets.US_ASCII);
        Files.write(seeds.resolve(s + "-" + size + ".jwe"), sealer.seal(req.build(), payload).toByteArray());
      }
    }
    // a few structural seeds that fail early, to give the fuzzer the shape of the format
    Files.write(seeds.resolve("empty"), new byte[0]);
    Files.write(innerSeeds.resolve("empty"), new byte[0]);
    Files.write(innerSeeds.resolve("dots"), "..".getBytes(StandardCharsets.US_ASCII));
    Files.write(seeds.resolve("dots"), "....".getBytes(StandardCharsets.US_ASCII));
    Files.write(seeds.resolve("alg-none"), EnvelopeForge.withHeader(
        "{\"alg\":\"none\",\"enc\":\"A256GCM\",\"typ\":\"shulian-envelope\"}"));
    Files.write(seeds.resolve("crit"), EnvelopeForge.withHeader(
        "{\"alg\":\"ECDH-ES\",\"enc\":\"A256GCM\",\"crit\":[\"x\"],\"x\":1}"));
    System.out.println("wrote fixtures to " + fixtures + " and seeds to " + seeds + " (sealed at " + at + ")");
  }
}
