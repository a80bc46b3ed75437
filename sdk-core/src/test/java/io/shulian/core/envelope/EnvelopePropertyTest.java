package io.shulian.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.PinnedSenderTrust;
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
 * Property: {@code open(seal(x)) == x} for arbitrary headers (every optional field present or
 * absent, random valid resource ids, purposes and content types, every classification, any ttl up
 * to the maximum lifetime) and payloads of 0 to 64 KiB, in every suite.
 *
 * <p>Seeded random cases (jqwik is not used, see the build notes): the seed is printed, and {@code
 * -Dshulian.property.seed=<seed>} replays a run; {@code -Dshulian.property.cases=<n>} changes the
 * number of cases per suite (default 200).
 */
class EnvelopePropertyTest {
  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private static final int MAX_PAYLOAD = 64 * 1024;

  private static long seed;
  private static int cases;

  @BeforeAll
  static void chooseSeed() {
    String s = System.getProperty("shulian.property.seed");
    seed = s != null ? Long.parseLong(s) : new Random().nextLong();
    cases = Integer.getInteger("shulian.property.cases", 200);
    System.out.println("EnvelopePropertyTest seed: " + seed + " (replay with -Dshulian.property.seed=" + seed + ")");
  }

  static Stream<String> suites() {
    return Stream.of("INTL", "INTL-P256", "GM");
  }

  @ParameterizedTest
  @MethodSource("suites")
  void open_sealedArbitraryEnvelope_returnsSameHeaderAndPayload(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).clock(clock).build();
    EnvelopeOpener opener = EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).clock(clock).build();
    Random r = new Random(seed ^ suite.hashCode());
    for (int i = 0; i < cases; i++) {
      String where = suite + " case " + i + " of seed " + seed;
      SealRequest req = randomRequest(r, p[1]);
      byte[] payload = new byte[payloadSize(r)];
      r.nextBytes(payload);

      SealedEnvelope sealed = sealer.seal(req, payload);
      OpenedEnvelope opened = opener.open(sealed.toByteArray());

      assertThat(opened.payload()).as(where).isEqualTo(payload);
      assertThat(opened.header()).as(where).isEqualTo(sealed.header());
      EnvelopeHeader h = opened.header();
      assertThat(h.sender()).as(where).isEqualTo(p[0].party());
      assertThat(h.receiver()).as(where).isEqualTo(p[1].party());
      assertThat(h.resource()).as(where).isEqualTo(req.resource());
      assertThat(h.purpose()).as(where).isEqualTo(req.purpose());
      assertThat(h.classification()).as(where).isEqualTo(req.classification());
      assertThat(h.contentType()).as(where).isEqualTo(req.contentType());
      assertThat(h.correlationId().orElse(null)).as(where).isEqualTo(req.correlationId());
      assertThat(h.grantRef().orElse(null)).as(where).isEqualTo(req.grantRef());
      assertThat(h.traceparent().orElse(null)).as(where).isEqualTo(req.traceparent());
      assertThat(h.issuedAt()).as(where).isEqualTo(T0);
      assertThat(Duration.between(h.issuedAt(), h.expiresAt())).as(where).isEqualTo(req.ttl());
      assertThat(opened.signer()).as(where).isEqualTo(p[0].signingCertificate());
    }
  }

  /** Mostly small payloads, every base64 remainder, and some up to 64 KiB. */
  private static int payloadSize(Random r) {
    switch (r.nextInt(4)) {
      case 0:
        return r.nextInt(4);
      case 1:
        return r.nextInt(300);
      case 2:
        return r.nextInt(8 * 1024);
      default:
        return r.nextInt(MAX_PAYLOAD + 1);
    }
  }

  private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final String LOWER = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final String HEX = "0123456789abcdef";

  private static SealRequest randomRequest(Random r, PartyIdentity recipient) {
    SealRequest.Builder b =
        SealRequest.builder()
            .recipient(recipient.encryptionCertificate())
            .resource(string(r, ALNUM, 1) + string(r, ALNUM + "._:/-", r.nextInt(128)))
            .purpose(string(r, LOWER, 1) + string(r, LOWER + "._-", r.nextInt(64)))
            .classification(Classification.values()[r.nextInt(Classification.values().length)])
            .ttl(Duration.ofSeconds(1 + (long) r.nextInt((int) EnvelopeOpener.DEFAULT_MAX_LIFETIME.getSeconds())));
    if (r.nextBoolean()) {
      // printable ASCII, including the characters JSON must escape (" and \)
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
