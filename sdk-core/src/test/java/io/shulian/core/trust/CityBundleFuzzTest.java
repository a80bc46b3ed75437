package io.shulian.core.trust;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzz targets for {@link CityBundle#verify}: whatever bytes arrive, it returns a bundle only for
 * content a trusted CA signed, and otherwise throws a {@link BundleException}. Any other exception,
 * a hang or an out-of-memory fails.
 *
 * <p>The first target takes the input as the whole bundle, verified against the stored INTL and GM
 * roots. Random bytes never pass the signature, so the second target signs its input as the bundle
 * JSON with the stored INTL CA key: mutations then reach the JSON limits, fields, PEM certificates,
 * CRL, party ids, endpoints and extensions. A bundle that verifies must survive a round trip (drafted
 * again from its accessors and signed, it verifies to the same content), and the trust it
 * establishes either builds or fails with a {@link TrustException}. A normal build replays the
 * seeds in {@code CityBundleFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes one target (docs/fuzzing.md).
 */
class CityBundleFuzzTest {
  private static final Map<String, CityAuthority> CAS = BundleFuzzFixtures.authorities();
  private static final List<X509Certificate> ROOTS = BundleFuzzFixtures.roots(CAS);
  private static final CityAuthority INTL = CAS.get("intl");
  private static final Instant NOW = BundleFuzzFixtures.signedAt().plus(Duration.ofHours(1));
  private static final List<byte[]> SEED_PAYLOADS = BundleFuzzFixtures.seeds(BundleFuzzFixtures.BYTES).entrySet()
      .stream().filter(e -> e.getKey().endsWith(".jws"))
      .map(e -> BundleFuzzFixtures.payloadOf(new String(e.getValue(), StandardCharsets.US_ASCII))).toList();

  @FuzzTest(maxDuration = "30s")
  void verify_arbitraryBytes_throwsOnlyBundleException(byte[] data) {
    CityBundle b;
    try {
      b = CityBundle.verify(data, ROOTS, NOW, BundleFuzzFixtures.GRACE);
    } catch (BundleException expected) {
      return;
    }
    // nobody but the CAs can sign: only the content of a seed may verify
    if (SEED_PAYLOADS.stream().noneMatch(p -> b.sameContentAs(bundleOf(p)))) {
      throw new AssertionError("a bundle that is no seed's content verified (" + data.length + " bytes)");
    }
  }

  @FuzzTest(maxDuration = "30s")
  void verify_signedArbitraryPayload_throwsOnlyBundleExceptionAndReparsesEqual(byte[] json) {
    CityBundle b;
    try {
      b = CityBundle.verify(INTL.signJws(json).getBytes(StandardCharsets.US_ASCII), ROOTS, NOW, BundleFuzzFixtures.GRACE);
    } catch (BundleException expected) {
      return;
    }
    assertReparsesEqual(b);
    try {
      b.trust(ROOTS, BundleFuzzFixtures.GRACE);
    } catch (TrustException expected) {
      // e.g. a CRL that no trusted CA signed: refused, never a crash
    }
  }

  /** The fixtures are still valid: every seed bundle verifies and survives the round trip. */
  @Test
  void seeds_verifyAndReparseEqual() throws Exception {
    int verified = 0;
    for (Map.Entry<String, byte[]> s : BundleFuzzFixtures.seeds(BundleFuzzFixtures.BYTES).entrySet()) {
      if (s.getKey().endsWith(".jws")) {
        assertReparsesEqual(CityBundle.verify(s.getValue(), ROOTS, NOW, BundleFuzzFixtures.GRACE));
        verified++;
      }
    }
    assertThat(verified).isEqualTo(4);
    assertThat(SEED_PAYLOADS).hasSize(4);
  }

  private static CityBundle bundleOf(byte[] payload) {
    try {
      return CityBundle.verify(INTL.signJws(payload).getBytes(StandardCharsets.US_ASCII), ROOTS, NOW, BundleFuzzFixtures.GRACE);
    } catch (BundleException e) {
      throw new AssertionError("seed payload does not verify: " + e.getMessage(), e);
    }
  }

  /** Drafts {@code b} again from its accessors, signs it and checks that it verifies to the same content. */
  private static void assertReparsesEqual(CityBundle b) {
    CityBundle.Draft d = CityBundle.draft().version(b.version()).validity(b.issuedAt(), b.validUntil()).crl(b.crl());
    for (CityBundle.Member m : b.parties()) {
      d.member(CityBundle.Member.of(m.party(), m.name(), m.endpoint().orElse(null), m.certificates()));
    }
    b.caCertificates().forEach(d::caCertificate);
    for (String name : b.extensionNames()) {
      d.extension(name, b.extension(name).orElseThrow());
    }
    CityBundle again;
    try {
      again = CityBundle.verify(d.sign(INTL).getBytes(StandardCharsets.US_ASCII), ROOTS, NOW, BundleFuzzFixtures.GRACE);
    } catch (BundleException e) {
      throw new AssertionError("a verified bundle, drafted again, no longer verifies: " + e.getMessage(), e);
    }
    assertThat(again.version()).isEqualTo(b.version());
    assertThat(again.issuedAt()).isEqualTo(b.issuedAt());
    assertThat(again.validUntil()).isEqualTo(b.validUntil());
    assertThat(again.parties()).hasSameSizeAs(b.parties());
    for (int i = 0; i < b.parties().size(); i++) {
      CityBundle.Member x = b.parties().get(i);
      CityBundle.Member y = again.parties().get(i);
      assertThat(y.party()).isEqualTo(x.party());
      assertThat(y.name()).isEqualTo(x.name());
      assertThat(y.endpoint()).isEqualTo(x.endpoint());
      assertThat(y.certificates()).isEqualTo(x.certificates());
    }
    HashSet<X509Certificate> cas = new HashSet<>(b.caCertificates());
    cas.add(INTL.root());
    assertThat(new HashSet<>(again.caCertificates())).isEqualTo(cas);
    assertThat(again.crl()).isEqualTo(b.crl());
    assertThat(again.extensionNames()).isEqualTo(b.extensionNames());
    for (String name : b.extensionNames()) {
      assertThat(again.extension(name)).isEqualTo(b.extension(name));
    }
  }
}
