package io.shulian.core.keys;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.testing.TestParties;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Certificates whose public key does not decode: Bouncy Castle reads a certificate's key lazily,
 * so the failure surfaces only when the key is asked for. Found by {@code CityBundleFuzzTest}.
 */
class PartyCertificateParsingTest {
  enum Kind {
    P256,
    SM2
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void fromPem_publicKeyPointNotOnCurve_throwsKeyMaterialException(Kind kind) throws Exception {
    PartyIdentity id = kind == Kind.P256 ? TestParties.p256Pair()[0] : TestParties.pair(Suite.GM)[0];
    PartyCertificate c = id.signingCertificate();
    byte[] der = c.certificate().getEncoded();
    byte[] spki = c.certificate().getPublicKey().getEncoded();
    int at = indexOf(der, java.util.Arrays.copyOfRange(spki, spki.length - 65, spki.length));
    der[at + 64] ^= 1; // last byte of y: the point leaves the curve
    String pem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder().encodeToString(der)
        + "\n-----END CERTIFICATE-----\n";

    assertThatThrownBy(() -> PartyCertificate.fromPem(pem))
        .isInstanceOf(KeyMaterialException.class)
        .hasMessageContaining("public key");
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("public key point not found in the certificate");
  }
}
