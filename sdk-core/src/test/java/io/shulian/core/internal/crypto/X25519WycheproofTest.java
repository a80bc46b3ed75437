package io.shulian.core.internal.crypto;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * C2SP/wycheproof x25519_test.json through {@link KeyAgreements#x25519SharedSecret} (the function
 * {@link KeyAgreements.X25519Decrypter} calls) and through the decrypter itself. A vector whose
 * shared secret is all zero (a small-order public key) must be refused with INVALID_POINT: RFC
 * 7748 section 6.1 allows the check and JOSE ECDH-ES must not derive a key from a known secret.
 */
class X25519WycheproofTest {

  private static final String ENC = "A256GCM";

  @Test
  void sharedSecret_wycheproofVectors_matchOrAreRefused() {
    Wycheproof file = Wycheproof.load("x25519_test.json");
    VectorTally tally = new VectorTally(file.file);
    for (Wycheproof.Case c : file.cases) {
      if (!"curve25519".equals(c.groupText("curve"))) {
        tally.skipped(c, "curve " + c.groupText("curve"));
        continue;
      }
      byte[] sk = c.hex("private");
      byte[] pk = c.hex("public");
      byte[] shared = c.hex("shared");
      boolean zero = isAllZero(shared);
      byte[] z;
      try {
        z = KeyAgreements.x25519SharedSecret(sk, pk);
      } catch (CryptoFailure e) {
        z = null;
        if (e.kind() != CryptoFailure.Kind.INVALID_POINT) {
          tally.fail(c, "refused with " + e.kind());
        } else if (!zero) {
          tally.fail(c, "refused a public key whose shared secret is not zero: " + e.getMessage());
        } else {
          tally.note(c.result().name().toLowerCase(java.util.Locale.ROOT)
              + " vector with all-zero shared secret refused (INVALID_POINT)");
        }
      }
      if (z != null) {
        if (zero) {
          tally.fail(c, "all-zero shared secret was returned instead of refused");
        } else if (!Arrays.equals(z, shared)) {
          tally.fail(c, "shared secret differs");
        } else if (c.result() == Wycheproof.Result.ACCEPTABLE) {
          tally.note("acceptable vector computed as published " + c.flags());
        }
      }
      checkDecrypter(tally, c, sk, pk, zero ? null : shared);
      tally.ran(c);
    }
    tally.assertAllPassed();
  }

  /** The whole recipient path: epk header in, content key (Concat KDF of Z) out. */
  private static void checkDecrypter(VectorTally tally, Wycheproof.Case c, byte[] sk, byte[] pk, byte[] shared) {
    KeyAgreements.X25519Decrypter d = new KeyAgreements.X25519Decrypter(sk);
    try {
      byte[] cek = d.decapsulate(new Epk("OKP", "X25519", pk, null), new byte[0], ENC);
      if (shared == null) {
        tally.fail(c, "decrypter accepted a small-order epk");
      } else if (!Arrays.equals(cek, ConcatKdf.deriveDirect(shared, ENC, 256))) {
        tally.fail(c, "decrypter derived a different content key");
      }
    } catch (CryptoFailure e) {
      if (shared != null || e.kind() != CryptoFailure.Kind.INVALID_POINT) {
        tally.fail(c, "decrypter refused with " + e.kind() + ": " + e.getMessage());
      }
    }
  }

  static boolean isAllZero(byte[] b) {
    int acc = 0;
    for (byte x : b) {
      acc |= x;
    }
    return acc == 0;
  }
}
