package io.shulian.core.internal.crypto;

import io.shulian.core.keys.KeyAlgorithm;
import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;

/**
 * C2SP/wycheproof ECDH on secp256r1, including its invalid-curve cases, through {@link
 * KeyAgreements#p256SharedSecret} (the point validation and agreement that {@link
 * KeyAgreements.P256Decrypter} runs on a JWE {@code epk}) and through the decrypter itself.
 *
 * <p>ecdh_secp256r1_ecpoint_test.json gives the peer key as an X9.62 point: an uncompressed point
 * maps onto the JWK {@code x}/{@code y} that our decrypter receives; other encodings (compressed,
 * truncated) have no JWK form and are skipped with a counted reason. ecdh_secp256r1_test.json gives
 * the peer key as a SubjectPublicKeyInfo, as in a recipient certificate: it goes through {@link
 * KeyCodec#publicKey}, which must refuse every invalid key (wrong curve, explicit or modified
 * parameters, point not on the curve).
 */
class EcdhP256WycheproofTest {

  private static final String ENC = "A256GCM";
  private static final ECDomainParameters P256 = KeyCodec.domain(KeyAlgorithm.P256);

  @Test
  void sharedSecret_wycheproofEcpointVectors_matchOrAreRefused() {
    Wycheproof file = Wycheproof.load("ecdh_secp256r1_ecpoint_test.json");
    VectorTally tally = new VectorTally(file.file);
    for (Wycheproof.Case c : file.cases) {
      if (!"secp256r1".equals(c.groupText("curve"))) {
        tally.skipped(c, "curve " + c.groupText("curve"));
        continue;
      }
      byte[] pub = c.hex("public");
      if (pub.length != 65 || pub[0] != 0x04) {
        tally.skipped(c, "point encoding with no JWK x/y form (" + pub.length + " bytes, first byte "
            + (pub.length == 0 ? "none" : String.format("0x%02x", pub[0])) + ")");
        continue;
      }
      byte[] x = Arrays.copyOfRange(pub, 1, 33);
      byte[] y = Arrays.copyOfRange(pub, 33, 65);
      checkAgreement(tally, c, privateKey(c), x, y, c.hex("shared"));
      tally.ran(c);
    }
    tally.assertAllPassed();
  }

  @Test
  void publicKey_wycheproofSpkiVectors_invalidKeysRefusedValidKeysAgree() {
    Wycheproof file = Wycheproof.load("ecdh_secp256r1_test.json");
    VectorTally tally = new VectorTally(file.file);
    for (Wycheproof.Case c : file.cases) {
      byte[] spki = c.hex("public");
      PublicKeyHandle handle;
      try {
        handle = KeyCodec.publicKey(spki);
      } catch (IllegalArgumentException e) {
        if (c.result() == Wycheproof.Result.VALID) {
          tally.fail(c, "valid public key refused: " + e.getMessage());
        } else {
          tally.note(c.result().name().toLowerCase(java.util.Locale.ROOT)
              + " key refused by KeyCodec.publicKey");
        }
        tally.ran(c);
        continue;
      } catch (RuntimeException e) {
        // KeyCodec.publicKey promises IllegalArgumentException for any bad key.
        tally.fail(c, "KeyCodec.publicKey threw " + e);
        continue;
      }
      if (handle.algorithm() != KeyAlgorithm.P256) {
        // Not a P-256 key for us, so it can never meet a P-256 private key.
        if (c.result() == Wycheproof.Result.VALID) {
          tally.fail(c, "valid P-256 key decoded as " + handle.algorithm());
        } else {
          tally.note("key decoded as " + handle.algorithm() + ", not P-256");
        }
        tally.ran(c);
        continue;
      }
      // KeyCodec accepted it as P-256; the point it carries must give the published Z.
      ECPoint q;
      try {
        byte[] octets = SubjectPublicKeyInfo.getInstance(spki).getPublicKeyData().getOctets();
        q = P256.getCurve().decodePoint(octets).normalize();
      } catch (RuntimeException e) {
        tally.fail(c, "KeyCodec accepted a key whose point does not decode: " + e);
        continue;
      }
      byte[] x = q.getAffineXCoord().getEncoded();
      byte[] y = q.getAffineYCoord().getEncoded();
      if (c.result() == Wycheproof.Result.INVALID) {
        tally.fail(c, "invalid public key accepted by KeyCodec.publicKey");
        continue;
      }
      if (c.result() == Wycheproof.Result.ACCEPTABLE) {
        tally.note("acceptable key accepted " + c.flags());
      }
      checkAgreement(tally, c, privateKey(c), x, y, c.hex("shared"));
      tally.ran(c);
    }
    tally.assertAllPassed();
  }

  /**
   * Valid and acceptable vectors must give the published Z (and the decrypter the Concat KDF of it);
   * invalid ones must be refused with INVALID_POINT by both.
   */
  private static void checkAgreement(
      VectorTally tally, Wycheproof.Case c, ECPrivateKeyParameters priv, byte[] x, byte[] y, byte[] shared) {
    boolean mustRefuse = c.result() == Wycheproof.Result.INVALID;
    try {
      byte[] z = KeyAgreements.p256SharedSecret(priv, x, y);
      if (mustRefuse) {
        tally.fail(c, "invalid peer point accepted");
      } else if (!Arrays.equals(z, shared)) {
        tally.fail(c, "shared secret differs");
      }
    } catch (CryptoFailure e) {
      if (!mustRefuse) {
        tally.fail(c, "peer point refused: " + e.getMessage());
      } else if (e.kind() != CryptoFailure.Kind.INVALID_POINT) {
        tally.fail(c, "refused with " + e.kind() + " instead of INVALID_POINT");
      } else {
        tally.note("invalid peer point refused (INVALID_POINT) " + c.flags());
      }
    } catch (RuntimeException e) {
      tally.fail(c, "p256SharedSecret threw " + e);
    }
    try {
      byte[] cek =
          new KeyAgreements.P256Decrypter(priv).decapsulate(new Epk("EC", "P-256", x, y), new byte[0], ENC);
      if (mustRefuse) {
        tally.fail(c, "decrypter accepted an invalid epk");
      } else if (!Arrays.equals(cek, ConcatKdf.deriveDirect(shared, ENC, 256))) {
        tally.fail(c, "decrypter derived a different content key");
      }
    } catch (CryptoFailure e) {
      if (!mustRefuse || e.kind() != CryptoFailure.Kind.INVALID_POINT) {
        tally.fail(c, "decrypter refused with " + e.kind() + ": " + e.getMessage());
      }
    } catch (RuntimeException e) {
      tally.fail(c, "decrypter threw " + e);
    }
  }

  private static ECPrivateKeyParameters privateKey(Wycheproof.Case c) {
    return new ECPrivateKeyParameters(new BigInteger(1, c.hex("private")), P256);
  }
}
