package io.shulian.core.envelope;

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
 * Fixed keys and seeds for {@link FramedOpenerFuzzTest}, like {@link FuzzFixtures} for the compact
 * form but in their own directory ({@code src/test/resources/io/shulian/core/envelope/fuzz-framed/};
 * test-only keys, published, never to be used for anything else), so that either set can be
 * regenerated without the other. Regenerate with {@link #main} from {@code sdk-core} on the test
 * class path; see docs/fuzzing.md.
 */
final class FramedFuzzFixtures {
  static final char[] PASSWORD = "fuzz-test-only".toCharArray();
  static final String RESOURCES = "/io/shulian/core/envelope/fuzz-framed/";
  static final String[] SUITES = {"intl", "intl-p256", "gm"};
  static final String SEEDS = "io/shulian/core/envelope/FramedOpenerFuzzTestInputs/";
  static final String OUTER = "openFramed_arbitraryBytes_throwsOnlyEnvelopeException";
  static final String INNER = "openFramed_arbitraryPlaintext_throwsOnlyEnvelopeException";


  /** Segment size of the seeds and of the harness that frames plaintext inputs: small, so inputs span segments. */
  static final int SEG = FramedCodec.MIN_SEGMENT_BYTES;

  private FramedFuzzFixtures() {}

  /** One receiver of a suite, an opener for it, and a framer that encrypts plaintext streams to it. */
  static final class Receiver {
    final String suite;
    final PartyIdentity identity;
    final EnvelopeOpener opener;
    /** Frames a plaintext stream as framed v1 ({@code framer}) and as v2 ({@code framerV2}). */
    final FramedForge.Framer framer;
    final FramedForge.Framer framerV2;

    Receiver(String suite, PartyIdentity identity, EnvelopeOpener opener) {
      this.suite = suite;
      this.identity = identity;
      this.opener = opener;
      this.framer = new FramedForge.Framer(identity.encryptionCertificate(), SEG);
      this.framerV2 = new FramedForge.Framer(identity.encryptionCertificate(), SEG);
      this.framerV2.version = FramedCodec.VERSION_2;
    }
  }

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
                .replayCache(FuzzFixtures.NEVER_SEEN)
                .maxPayloadBytes(1024 * 1024)
                .maxStreamPayloadBytes(1024 * 1024)
                .build();
        out.add(new Receiver(s, receiver, opener));
      }
      return out;
    } catch (Exception e) {
      throw new IllegalStateException("framed fuzz fixtures missing or invalid: " + e.getMessage(), e);
    }
  }

  /** Reads the seed files of one fuzz test method from the test class path. */
  static Map<String, byte[]> seeds(String method) {
    URL dir = FramedFuzzFixtures.class.getResource("/" + SEEDS + method);
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

  static Instant sealedAt() {
    return Instant.ofEpochSecond(Long.parseLong(text("sealed-at.txt").trim()));
  }

  private static byte[] bytes(String name) {
    try (InputStream in = FramedFuzzFixtures.class.getResourceAsStream(RESOURCES + name)) {
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
    if (suite.equals("intl-p256")) {
      return new PartyIdentity[] {
        PartyIdentity.generateSelfSigned(KeyAlgorithm.P256, KeyAlgorithm.P256, TestParties.HOUSING, validity),
        PartyIdentity.generateSelfSigned(KeyAlgorithm.P256, KeyAlgorithm.P256, TestParties.CIVIL, validity)
      };
    }
    Suite s = suite.equals("gm") ? Suite.GM : Suite.INTL;
    return new PartyIdentity[] {
      PartyIdentity.generateSelfSigned(s, TestParties.HOUSING, validity),
      PartyIdentity.generateSelfSigned(s, TestParties.CIVIL, validity)
    };
  }

  /**
   * Writes new keys, the seal instant and seeds.
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
    Files.writeString(fixtures.resolve("README.md"),
        "Test-only key material for `FramedOpenerFuzzTest` (see `FramedFuzzFixtures` and docs/fuzzing.md).\n"
            + "These keys are published in this repository: never use them for anything but tests.\n"
            + "Receivers' PKCS#12 password: `fuzz-test-only`. `sealed-at.txt` is the instant (epoch seconds)\n"
            + "the seeds were sealed at; the fuzz test's openers use it as their fixed clock.\n");
    for (String s : SUITES) {
      PartyIdentity[] p = generate(s);
      p[1].store(fixtures.resolve(s + "-receiver.p12"), PASSWORD);
      Files.writeString(fixtures.resolve(s + "-sender.pem"), PartyCertificate.toPem(p[0].certificates()));
      EnvelopeSealer sealer =
          EnvelopeSealer.builder(p[0]).clock(Clock.fixed(at, ZoneOffset.UTC)).framedSegmentBytes(SEG).build();
      for (int size : new int[] {0, 100, 5000}) {
        SealRequest.Builder req =
            SealRequest.builder()
                .recipient(p[1].encryptionCertificate())
                .resource("HOUSING-001")
                .purpose("social-assistance-review")
                .contentType("application/json")
                .encoding(EnvelopeEncoding.FRAMED);
        if (size == 100) {
          req.grantRef("grant-7").traceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
              .correlationId(EnvelopeForge.newId());
        }
        byte[] payload = "{\"a\":1}".repeat(size / 7 + 1).substring(0, size).getBytes(StandardCharsets.US_ASCII);
        // v2 (what sealers write) and v1 (what older senders wrote; still opened)
        Files.write(seeds.resolve(s + "-" + size + ".shf"), sealer.seal(req.build(), payload).toByteArray());
        FramedSealer v1 = new FramedSealer(FramedForge.signer(p[0]), p[0].signingCertificate().keyId().value(), SEG,
            null, FramedCodec.VERSION_1);
        SealRequest r = req.build();
        EnvelopeHeader h1 = new EnvelopeHeader(EnvelopeHeader.VERSION, EnvelopeForge.newId(), p[0].party(),
            p[1].party(), r.resource(), r.purpose(), r.classification(), at, at.plus(r.ttl()), r.contentType(),
            r.correlationId(), r.grantRef(), r.traceparent());
        Files.write(seeds.resolve(s + "-v1-" + size + ".shf"), v1.seal(h1, p[1].encryptionCertificate(), payload));
        // the plaintext stream a sender signs, before encryption (the fuzz test frames its input)
        if (size != 100) {
          Files.write(innerSeeds.resolve(s + "-v1-" + size + ".plain"), FramedForge.signedPlaintext(
              FramedForge.signedHeader(p[0], p[1].party(), at, at.plus(SealRequest.DEFAULT_TTL)), payload, p[0]));
          Files.write(innerSeeds.resolve(s + "-" + size + ".plain"), FramedForge.signedPlaintextV2(
              FramedForge.signedHeader(p[0], p[1].party(), at, at.plus(SealRequest.DEFAULT_TTL)), payload, p[0]));
        }
      }
    }
    Files.write(seeds.resolve("empty"), new byte[0]);
    Files.write(innerSeeds.resolve("empty"), new byte[0]);
    Files.write(seeds.resolve("magic-only"), FramedCodec.MAGIC);
    Files.write(seeds.resolve("crit"), FramedCodec.preamble(
        "{\"typ\":\"shulian-envelope\",\"fmt\":\"framed\",\"alg\":\"ECDH-ES\",\"crit\":[\"x\"]}"
            .getBytes(StandardCharsets.US_ASCII)));
    System.out.println("wrote fixtures to " + fixtures + " and seeds to " + seeds + " (sealed at " + at + ")");
  }
}
