package io.shulian.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.PinnedSenderTrust;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property: for arbitrary headers, payloads (0 to about five segments), segment sizes and input
 * streams that return arbitrary short reads, the framed encoding opens to the same header and
 * payload through every combination of the byte[] and stream APIs.
 *
 * <p>Seeded: the seed is printed; {@code -Dshulian.property.seed=<seed>} replays a run and
 * {@code -Dshulian.property.cases=<n>} sets the cases per suite (default 60 here).
 */
class FramedPropertyTest {
  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  private static long seed;
  private static int cases;

  @BeforeAll
  static void chooseSeed() {
    String s = System.getProperty("shulian.property.seed");
    seed = s != null ? Long.parseLong(s) : new Random().nextLong();
    cases = Integer.getInteger("shulian.property.cases", 60);
    System.out.println("FramedPropertyTest seed: " + seed + " (replay with -Dshulian.property.seed=" + seed + ")");
  }

  static Stream<String> suites() {
    return Stream.of("INTL", "INTL-P256", "GM");
  }

  @ParameterizedTest
  @MethodSource("suites")
  void open_sealedArbitraryFramedEnvelope_returnsSameHeaderAndPayload(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
    EnvelopeOpener opener =
        EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).clock(clock).build();
    Random r = new Random(seed ^ suite.hashCode());
    for (int i = 0; i < cases; i++) {
      String where = suite + " case " + i + " of seed " + seed;
      int seg = FramedCodec.MIN_SEGMENT_BYTES + r.nextInt(16 * 1024);
      EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).clock(clock).framedSegmentBytes(seg).build();
      SealRequest req = randomRequest(r, p[1]);
      byte[] payload = new byte[payloadSize(r, seg)];
      r.nextBytes(payload);

      EnvelopeHeader sealedHeader;
      byte[] envelope;
      if (r.nextBoolean()) {
        SealedEnvelope s = sealer.seal(req, payload);
        sealedHeader = s.header();
        envelope = s.toByteArray();
      } else {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sealedHeader = sealer.sealStream(req, new ShortReads(new ByteArrayInputStream(payload), r), out);
        envelope = out.toByteArray();
      }
      EnvelopeHeader openedHeader;
      byte[] opened;
      if (r.nextBoolean()) {
        OpenedEnvelope o = opener.open(envelope);
        openedHeader = o.header();
        opened = o.payload();
      } else {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        openedHeader = opener.openStream(new ShortReads(new ByteArrayInputStream(envelope), r), out);
        opened = out.toByteArray();
      }

      assertThat(opened).as(where).isEqualTo(payload);
      assertThat(openedHeader).as(where).isEqualTo(sealedHeader);
      assertThat(openedHeader.resource()).as(where).isEqualTo(req.resource());
      assertThat(openedHeader.correlationId().orElse(null)).as(where).isEqualTo(req.correlationId());
      assertThat(openedHeader.grantRef().orElse(null)).as(where).isEqualTo(req.grantRef());
      assertThat(openedHeader.traceparent().orElse(null)).as(where).isEqualTo(req.traceparent());
      assertThat(Duration.between(openedHeader.issuedAt(), openedHeader.expiresAt())).as(where).isEqualTo(req.ttl());
    }
  }

  /** Sizes around segment boundaries (the header shifts them), small ones, and up to five segments. */
  private static int payloadSize(Random r, int seg) {
    switch (r.nextInt(4)) {
      case 0:
        return r.nextInt(70);
      case 1:
        return Math.max(0, (1 + r.nextInt(3)) * seg - 600 + r.nextInt(1200));
      default:
        return r.nextInt(5 * seg);
    }
  }

  /** Returns between 1 and 1/3 of what was asked for, as sockets and pipes do. */
  private static final class ShortReads extends FilterInputStream {
    private final Random r;

    ShortReads(InputStream in, Random r) {
      super(in);
      this.r = r;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return super.read(b, off, len <= 1 ? len : 1 + r.nextInt(Math.max(1, len / 3)));
    }
  }

  private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final String LOWER = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final String HEX = "0123456789abcdef";

  private static SealRequest randomRequest(Random r, PartyIdentity recipient) {
    SealRequest.Builder b =
        SealRequest.builder()
            .recipient(recipient.encryptionCertificate())
            .encoding(EnvelopeEncoding.FRAMED)
            .resource(string(r, ALNUM, 1) + string(r, ALNUM + "._:/-", r.nextInt(128)))
            .purpose(string(r, LOWER, 1) + string(r, LOWER + "._-", r.nextInt(64)))
            .classification(Classification.values()[r.nextInt(Classification.values().length)])
            .ttl(Duration.ofSeconds(1 + (long) r.nextInt((int) EnvelopeOpener.DEFAULT_MAX_LIFETIME.getSeconds())));
    if (r.nextBoolean()) {
      b.contentType(printable(r, 0x21, 1) + printable(r, 0x20, r.nextInt(127)));
    }
    if (r.nextBoolean()) {
      b.correlationId(new UUID(r.nextLong(), r.nextLong()));
    }
    if (r.nextBoolean()) {
      b.grantRef(printable(r, 0x21, 1 + r.nextInt(256)));
    }
    if (r.nextBoolean()) {
      b.traceparent(string(r, HEX, 2) + "-" + string(r, HEX, 32) + "-" + string(r, HEX, 16) + "-" + string(r, HEX, 2));
    }
    return b.build();
  }

  private static String string(Random r, String alphabet, int n) {
    StringBuilder s = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      s.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return s.toString();
  }

  private static String printable(Random r, int from, int n) {
    StringBuilder s = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      s.append((char) (from + r.nextInt(0x7f - from)));
    }
    return s.toString();
  }
}
