package io.shulian.core.trust;

import static io.shulian.core.trust.TestCa.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.TestParties;
import java.nio.file.Path;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CityBundleTest {
  /**
   * The CAs are shared with other test classes (BundleHolderTest builds its bundles here), so their
   * directory lives as long as the test JVM, not one class: a class-level {@code @TempDir} would be
   * null, or already deleted, when another class asks first. Deleted when the JVM exits.
   */
  private static final Path caDirs = TestCa.jvmTempDir("shulian-bundle-cas-");
  private static final Map<Suite, TestCa> CAS = new EnumMap<>(Suite.class);
  private static final Map<Suite, PartyIdentity> MEMBER = new EnumMap<>(Suite.class);

  static synchronized TestCa ca(Suite s) {
    return CAS.computeIfAbsent(s, x -> TestCa.create(caDirs, x, "Bundle Root " + x));
  }

  static synchronized PartyIdentity member(Suite s) throws Exception {
    PartyIdentity p = MEMBER.get(s);
    if (p == null) {
      p = ca(s).issue(TestParties.HOUSING, T0, Duration.ofDays(30));
      MEMBER.put(s, p);
    }
    return p;
  }

  static byte[] bundle(Suite s, long version, Instant issued, Duration validFor) throws Exception {
    X509CRL crl = ca(s).crl(issued, Duration.ofHours(24));
    return CityBundle.draft()
        .version(version)
        .validity(issued, issued.plus(validFor))
        .member(CityBundle.Member.of(TestParties.HOUSING, "住房和城乡建设局",
            URI.create("https://housing.example.gov.cn:8443"), member(s).certificates()))
        .crl(crl)
        .extension("catalog", "{\"resources\":[]}")
        .sign(ca(s).at(issued))
        .getBytes(StandardCharsets.US_ASCII);
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void verify_signedBundle_returnsContentAndTrust(Suite s) throws Exception {
    byte[] jws = bundle(s, 3, T0, Duration.ofDays(1));
    String header = new String(Base64.getUrlDecoder().decode(new String(jws, StandardCharsets.US_ASCII).split("\\.")[0]),
        StandardCharsets.UTF_8);
    assertThat(header).contains(s == Suite.GM ? "\"SM2-SM3\"" : "\"ES256\"");

    CityBundle b = CityBundle.verify(jws, List.of(ca(s).ca.root()), T0.plusSeconds(60), Duration.ZERO);
    assertThat(b.version()).isEqualTo(3);
    assertThat(b.parties()).singleElement().satisfies(m -> {
      assertThat(m.party()).isEqualTo(TestParties.HOUSING);
      assertThat(m.name()).isEqualTo("住房和城乡建设局");
      assertThat(m.endpoint()).contains(URI.create("https://housing.example.gov.cn:8443"));
      assertThat(m.certificates()).hasSize(3);
    });
    assertThat(b.extension("catalog")).contains("{\"resources\":[]}");
    CityTrust t = b.trust(List.of(ca(s).ca.root()), Duration.ZERO);
    assertThat(t.signer(member(s).signingCertificate().keyId(), TestParties.HOUSING, T0.plusSeconds(60)))
        .isEqualTo(member(s).signingCertificate());
  }

  private static void assertRefused(byte[] jws, Suite s, Instant at, BundleException.Reason reason) {
    assertThatThrownBy(() -> CityBundle.verify(jws, List.of(ca(s).ca.root()), at, Duration.ofHours(1)))
        .isInstanceOf(BundleException.class)
        .satisfies(e -> assertThat(((BundleException) e).reason()).isEqualTo(reason));
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void verify_otherRoot_badSignature(Suite s) throws Exception {
    byte[] jws = bundle(s, 1, T0, Duration.ofDays(1));
    TestCa other = TestCa.create(caDirs, s, "Other Bundle Root");
    assertThatThrownBy(() -> CityBundle.verify(jws, List.of(other.ca.root()), T0, Duration.ZERO))
        .isInstanceOf(BundleException.class)
        .satisfies(e -> assertThat(((BundleException) e).reason()).isEqualTo(BundleException.Reason.BAD_SIGNATURE));
    Suite otherSuite = s == Suite.GM ? Suite.INTL : Suite.GM;
    assertThatThrownBy(() -> CityBundle.verify(jws, List.of(ca(otherSuite).ca.root()), T0, Duration.ZERO))
        .isInstanceOf(BundleException.class).hasMessageContaining("algorithm");
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void verify_everyBitFlipInSignatureOrPayload_refused(Suite s) throws Exception {
    byte[] jws = bundle(s, 1, T0, Duration.ofDays(1));
    java.util.Random r = new java.util.Random(7);
    for (int i = 0; i < 20; i++) {
      byte[] m = jws.clone();
      int pos = r.nextInt(m.length);
      m[pos] = (byte) (m[pos] == 'A' ? 'B' : 'A');
      if (java.util.Arrays.equals(m, jws)) {
        continue;
      }
      assertThatThrownBy(() -> CityBundle.verify(m, List.of(ca(s).ca.root()), T0, Duration.ZERO))
          .isInstanceOf(BundleException.class);
    }
  }

  @Test
  void verify_pastValidUntilPlusGrace_expired() throws Exception {
    byte[] jws = bundle(Suite.INTL, 1, T0, Duration.ofHours(2));
    CityBundle.verify(jws, List.of(ca(Suite.INTL).ca.root()), T0.plus(Duration.ofMinutes(170)), Duration.ofHours(1));
    assertRefused(jws, Suite.INTL, T0.plus(Duration.ofHours(3)).plusSeconds(1), BundleException.Reason.EXPIRED);
    assertRefused(jws, Suite.INTL, T0.minus(Duration.ofHours(1)), BundleException.Reason.NOT_YET_VALID);
  }

  @Test
  void verify_oversized_tooLargeBeforeParsing() {
    byte[] big = new byte[CityBundle.MAX_BUNDLE_BYTES + 1];
    java.util.Arrays.fill(big, (byte) 'A');
    assertRefused(big, Suite.INTL, T0, BundleException.Reason.TOO_LARGE);
  }

  @Test
  void verify_garbage_malformed() {
    assertRefused("not a jws".getBytes(StandardCharsets.US_ASCII), Suite.INTL, T0, BundleException.Reason.MALFORMED);
    assertRefused("a.b.c".getBytes(StandardCharsets.US_ASCII), Suite.INTL, T0, BundleException.Reason.MALFORMED);
  }

  private static byte[] signRaw(Suite s, String json) {
    return ca(s).ca.signJws(json.getBytes(StandardCharsets.UTF_8)).getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void verify_deeplyNestedJson_malformed() {
    String deep = "[".repeat(CityBundle.MAX_DEPTH + 5) + "]".repeat(CityBundle.MAX_DEPTH + 5);
    byte[] jws = signRaw(Suite.INTL, "{\"format\":1,\"version\":1,\"extensions\":{\"x\":" + deep + "}}");
    assertThatThrownBy(() -> CityBundle.verify(jws, List.of(ca(Suite.INTL).ca.root()), T0, Duration.ZERO))
        .isInstanceOf(BundleException.class).hasMessageContaining("nesting");
  }

  @Test
  void verify_duplicateKeys_malformed() {
    byte[] jws = signRaw(Suite.INTL, "{\"format\":1,\"version\":1,\"version\":2}");
    assertThatThrownBy(() -> CityBundle.verify(jws, List.of(ca(Suite.INTL).ca.root()), T0, Duration.ZERO))
        .isInstanceOf(BundleException.class).hasMessageContaining("duplicate");
  }

  @Test
  void verify_unknownTopLevelField_malformed() {
    byte[] jws = signRaw(Suite.GM, "{\"format\":1,\"version\":1,\"surprise\":true}");
    assertThatThrownBy(() -> CityBundle.verify(jws, List.of(ca(Suite.GM).ca.root()), T0, Duration.ZERO))
        .isInstanceOf(BundleException.class).hasMessageContaining("surprise");
  }

  /** The signed payload of a bundle with its version replaced (re-signed by the CA). */
  private static byte[] withVersion(byte[] jws, String version) {
    String payload = new String(Base64.getUrlDecoder().decode(new String(jws, StandardCharsets.US_ASCII).split("\\.")[1]),
        StandardCharsets.UTF_8);
    assertThat(payload).contains("\"version\":1,");
    return signRaw(Suite.INTL, payload.replace("\"version\":1,", "\"version\":" + version + ","));
  }

  @Test
  void verify_versionSoHighThatNoLaterUpdateIsPossible_refused() throws Exception {
    byte[] v1 = bundle(Suite.INTL, 1, T0, Duration.ofDays(1));
    Instant at = T0.plusSeconds(60);

    assertThatThrownBy(() -> CityBundle.verify(withVersion(v1, Long.toString(Long.MAX_VALUE)), List.of(ca(Suite.INTL).ca.root()),
        at, Duration.ZERO))
        .isInstanceOf(BundleException.class).hasMessageContaining("version")
        .satisfies(e -> assertThat(((BundleException) e).reason()).isEqualTo(BundleException.Reason.MALFORMED));
    // the bound is the bundle's issuedAt in milliseconds: a timestamp version is fine, one past it is not
    assertThatThrownBy(() -> CityBundle.verify(withVersion(v1, Long.toString(T0.toEpochMilli() + 1)),
        List.of(ca(Suite.INTL).ca.root()), at, Duration.ZERO))
        .isInstanceOf(BundleException.class).hasMessageContaining("version");
    assertThat(CityBundle.verify(withVersion(v1, Long.toString(T0.toEpochMilli())), List.of(ca(Suite.INTL).ca.root()), at,
        Duration.ZERO).version()).isEqualTo(T0.toEpochMilli());
  }

  @Test
  void verify_grantRevocations_parsedStrictly() throws Exception {
    String base = "{\"issuer\":\"" + TestParties.HOUSING + "\",\"grant\":\"g-1\"";
    CityBundle.Draft ok = CityBundle.draft().version(1).validity(T0, T0.plus(Duration.ofDays(1)))
        .crl(ca(Suite.INTL).crl(T0, Duration.ofHours(24)))
        .extension("grantRevocations", "[" + base + ",\"until\":\"2026-07-01T00:00:00Z\"}," + base + "}]");
    CityBundle b = CityBundle.verify(ok.sign(ca(Suite.INTL).at(T0)).getBytes(StandardCharsets.US_ASCII),
        List.of(ca(Suite.INTL).ca.root()), T0, Duration.ZERO);
    assertThat(b.revokedGrants()).singleElement().satisfies(g -> assertThat(g.until()).isPresent());
    assertThat(b.isGrantRevoked(TestParties.HOUSING + "#g-1")).isTrue();

    for (String bad : new String[] {"{}", "[1]", "[" + base + ",\"extra\":1}]", "[{\"issuer\":\"x\",\"grant\":\"g\"}]",
        "[" + base + ",\"until\":\"tomorrow\"}]", "[{\"issuer\":\"" + TestParties.HOUSING + "\",\"grant\":\"a b\"}]"}) {
      // refused when drafted ...
      assertThatThrownBy(() -> CityBundle.draft().extension("grantRevocations", bad))
          .as(bad).isInstanceOf(IllegalArgumentException.class);
      // ... and when a signed bundle carries it anyway
      byte[] signed = signedWithExtension("grantRevocations", bad);
      assertThatThrownBy(() -> CityBundle.verify(signed, List.of(ca(Suite.INTL).ca.root()), T0,
          Duration.ZERO)).as(bad).isInstanceOf(BundleException.class).hasMessageContaining("grantRevocations");
    }
  }

  /** An INTL bundle signed as is, bypassing the draft's checks, whose only extension is {@code name: json}. */
  private static byte[] signedWithExtension(String name, String json) throws Exception {
    String payload = "{\"format\":1,\"version\":1,\"issuedAt\":\"" + T0 + "\",\"validUntil\":\""
        + T0.plus(Duration.ofDays(1)) + "\",\"parties\":[],\"caCertificates\":[" + com.fasterxml.jackson.databind
        .node.TextNode.valueOf(ca(Suite.INTL).ca.rootPem()) + "],\"crl\":" + com.fasterxml.jackson.databind.node
        .TextNode.valueOf(CityAuthority.toPem(ca(Suite.INTL).crl(T0, Duration.ofHours(24))))
        + ",\"extensions\":{\"" + name + "\":" + json + "}}";
    return signRaw(Suite.INTL, payload);
  }

  @Test
  void incidents_signedAndVerified_andCopiedByToDraft() throws Exception {
    Incidents in = Incidents.none().withSuspended(TestParties.HOUSING, "compromised system").withFrozen("HOUSING-001", "leak");
    CityBundle.Draft d = CityBundle.draft().version(1).validity(T0, T0.plus(Duration.ofDays(1)))
        .crl(ca(Suite.INTL).crl(T0, Duration.ofHours(24))).extension("catalog", "{\"resources\":[]}")
        .revokeGrant(CityBundle.RevokedGrant.of(TestParties.HOUSING, "g-1", null, null)).incidents(in);
    CityBundle b = CityBundle.verify(d.sign(ca(Suite.INTL).at(T0)).getBytes(StandardCharsets.US_ASCII),
        List.of(ca(Suite.INTL).ca.root()), T0, Duration.ZERO);
    assertThat(b.incidents()).isEqualTo(in);
    assertThat(b.incidents().isSuspended(TestParties.HOUSING)).isTrue();
    assertThat(b.incidents().isFrozen("HOUSING-001")).isTrue();
    assertThat(b.incidents().isFrozen("HOUSING-002")).isFalse();

    // a new bundle from this one keeps every content and changes only what it is told
    CityBundle.Draft next = b.toDraft();
    next.incidents(next.incidents().withoutSuspended(TestParties.HOUSING));
    CityBundle b2 = CityBundle.verify(next.version(2).validity(T0, T0.plus(Duration.ofDays(1)))
        .crl(ca(Suite.INTL).crl(T0, Duration.ofHours(24))).sign(ca(Suite.INTL).at(T0)).getBytes(StandardCharsets.US_ASCII),
        List.of(ca(Suite.INTL).ca.root()), T0, Duration.ZERO);
    assertThat(b2.incidents().isSuspended(TestParties.HOUSING)).isFalse();
    assertThat(b2.incidents().isFrozen("HOUSING-001")).isTrue();
    assertThat(b2.extension("catalog")).isEqualTo(b.extension("catalog"));
    assertThat(b2.isGrantRevoked(TestParties.HOUSING + "#g-1")).isTrue();
    assertThat(b2.parties()).hasSameSizeAs(b.parties());
    // a bundle without the extension (every bundle before it) has none in force
    assertThat(CityBundle.verify(bundle(Suite.INTL, 1, T0, Duration.ofDays(1)), List.of(ca(Suite.INTL).ca.root()), T0,
        Duration.ZERO).incidents().isEmpty()).isTrue();
  }

  @Test
  void verify_malformedIncidents_refusedWhenDraftedAndWhenSigned() throws Exception {
    for (String bad : new String[] {"[]", "{\"suspended\":{}}", "{\"suspendedParties\":[]}",
        "{\"suspendedParties\":{\"not-a-party\":\"r\"}}", "{\"suspendedParties\":{\"" + TestParties.HOUSING + "\":1}}",
        "{\"suspendedParties\":{\"" + TestParties.HOUSING + "\":\"\"}}", "{\"frozenResources\":{\"../x\":\"r\"}}",
        "{\"frozenResources\":{\"R\":\"a\\nb\"}}"}) {
      assertThatThrownBy(() -> CityBundle.draft().extension("incidents", bad))
          .as(bad).isInstanceOf(IllegalArgumentException.class);
      byte[] signed = signedWithExtension("incidents", bad);
      assertThatThrownBy(() -> CityBundle.verify(signed, List.of(ca(Suite.INTL).ca.root()), T0,
          Duration.ZERO)).as(bad).isInstanceOf(BundleException.class).hasMessageContaining("incidents");
    }
  }

  @Test
  void sign_versionAboveIssuedAtMillis_refused() throws Exception {
    CityBundle.Draft d = CityBundle.draft()
        .version(Long.MAX_VALUE)
        .validity(T0, T0.plus(Duration.ofDays(1)))
        .crl(ca(Suite.INTL).crl(T0, Duration.ofHours(24)));

    assertThatThrownBy(() -> d.sign(ca(Suite.INTL).at(T0))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("version");
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void update_lowerVersion_rollbackRefusedAndHeldKept(Suite s) throws Exception {
    BundleHolder h = BundleHolder.of(List.of(ca(s).ca.root()), TestCa.clock(T0.plusSeconds(60)),
        Duration.ofHours(1), Duration.ofHours(1));
    byte[] v5 = bundle(s, 5, T0, Duration.ofDays(1));
    byte[] v4 = bundle(s, 4, T0, Duration.ofDays(1));
    byte[] v5b = bundle(s, 5, T0, Duration.ofDays(2));
    assertThat(h.update(v5).version()).isEqualTo(5);
    assertThat(h.update(v5).version()).isEqualTo(5);
    assertThatThrownBy(() -> h.update(v4)).isInstanceOf(BundleException.class)
        .satisfies(e -> assertThat(((BundleException) e).reason()).isEqualTo(BundleException.Reason.ROLLBACK));
    assertThatThrownBy(() -> h.update(v5b)).isInstanceOf(BundleException.class)
        .satisfies(e -> assertThat(((BundleException) e).reason()).isEqualTo(BundleException.Reason.ROLLBACK));
    assertThat(h.current().orElseThrow().sameContentAs(CityBundle.verify(v5, List.of(ca(s).ca.root()), T0, Duration.ZERO)))
        .isTrue();
    assertThat(h.update(bundle(s, 6, T0, Duration.ofDays(1))).version()).isEqualTo(6);
  }

  @Test
  void signer_bundleExpiredPastGrace_staleBundle() throws Exception {
    byte[] v1 = bundle(Suite.INTL, 1, T0, Duration.ofHours(2));
    MutableClock clock = new MutableClock(T0.plusSeconds(60));
    BundleHolder h = BundleHolder.of(List.of(ca(Suite.INTL).ca.root()), clock, Duration.ofHours(1), Duration.ofHours(48));
    assertThatThrownBy(h::trust).isInstanceOf(TrustException.class)
        .satisfies(e -> assertThat(((TrustException) e).reason()).isEqualTo(TrustException.Reason.STALE_BUNDLE));
    h.update(v1);
    var kid = member(Suite.INTL).signingCertificate().keyId();
    h.signer(kid, TestParties.HOUSING, T0.plus(Duration.ofMinutes(150)));
    assertThatThrownBy(() -> h.signer(kid, TestParties.HOUSING, T0.plus(Duration.ofHours(3)).plusSeconds(1)))
        .isInstanceOf(TrustException.class)
        .satisfies(e -> assertThat(((TrustException) e).reason()).isEqualTo(TrustException.Reason.STALE_BUNDLE));
    clock.set(T0.plus(Duration.ofHours(4)));
    assertThatThrownBy(() -> h.update(v1)).isInstanceOf(BundleException.class)
        .satisfies(e -> assertThat(((BundleException) e).reason()).isEqualTo(BundleException.Reason.EXPIRED));
    assertThatThrownBy(h::trust).isInstanceOf(TrustException.class).hasMessageContaining("expired");
    assertThat(h.current().orElseThrow().version()).isEqualTo(1);
  }

  /** A settable clock for tests. */
  static final class MutableClock extends java.time.Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void set(Instant t) {
      now = t;
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
