package io.shulian.core.trust;

import static io.shulian.core.trust.TestCa.T0;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.internal.crypto.Pkix;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.TestParties;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mutated certificate requests, CRLs and bundles: every parser of untrusted trust material fails
 * with its declared exception, never with another runtime exception. Seeded, so reproducible.
 */
class TrustParsersRobustnessTest {
  @TempDir static Path caDirs;
  private static TestCa CA;

  @org.junit.jupiter.api.BeforeAll
  static void createCa() {
    CA = TestCa.create(caDirs, Suite.GM, "Robustness Root");
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static byte[] mutate(byte[] in, Random r) {
    byte[] m = in.clone();
    switch (r.nextInt(3)) {
      case 0:
        m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
        return m;
      case 1:
        return java.util.Arrays.copyOf(m, r.nextInt(m.length));
      default:
        byte[] e = java.util.Arrays.copyOf(m, m.length + 1 + r.nextInt(16));
        e[m.length] = (byte) r.nextInt();
        return e;
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 10, 11, 12, 13, 14})
  void signRequests_mutatedDer_rejectedOrIssuedNeverCrashes(long seed) throws Exception {
    String csr = CertificateRequests.create(TestParties.pair(Suite.GM)[0], TestParties.HOUSING);
    byte[] der = Base64.getMimeDecoder().decode(csr.split("-----")[2]);
    Random r = new Random(seed);
    CityAuthority ca = CA.at(T0);
    for (int i = 0; i < 40; i++) {
      String bad = pem("CERTIFICATE REQUEST", mutate(der, r));
      try {
        ca.signRequests(bad, Duration.ofDays(1));
      } catch (TrustException expected) {
        // the only acceptable failure
      }
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {4, 5, 6})
  void readCrlsAndBuild_mutatedDer_failsWithTrustException(long seed) throws Exception {
    byte[] der = CA.crl(T0, Duration.ofHours(1)).getEncoded();
    Random r = new Random(seed);
    for (int i = 0; i < 40; i++) {
      String bad = pem("X509 CRL", mutate(der, r));
      try {
        CityTrust.builder().roots(List.of(CA.ca.root())).crls(CityTrust.readCrls(bad)).build();
      } catch (TrustException expected) {
        // malformed, or signature no longer verifies
      }
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {7, 8})
  void verify_mutatedPayloadJson_failsWithBundleException(long seed) throws Exception {
    String json = "{\"format\":1,\"version\":1,\"issuedAt\":\"2026-06-01T08:00:00Z\",\"validUntil\":"
        + "\"2026-06-02T08:00:00Z\",\"parties\":[],\"caCertificates\":[" + quote(Pkix.toPem(List.of(CA.ca.root())))
        + "],\"crl\":" + quote(CityAuthority.toPem(CA.crl(T0, Duration.ofHours(1)))) + ",\"extensions\":{}}";
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    Random r = new Random(seed);
    for (int i = 0; i < 40; i++) {
      byte[] m = mutate(bytes, r);
      byte[] jws = CA.ca.signJws(m).getBytes(StandardCharsets.US_ASCII);
      try {
        CityBundle.verify(jws, List.of(CA.ca.root()), T0, Duration.ZERO);
      } catch (BundleException expected) {
        // malformed JSON, fields or CRL
      }
    }
    assertThatThrownBy(() -> CityBundle.verify(new byte[0], List.of(CA.ca.root()), T0, Duration.ZERO))
        .isInstanceOf(BundleException.class);
  }

  private static String quote(String s) {
    return "\"" + s.replace("\n", "\\n") + "\"";
  }
}
