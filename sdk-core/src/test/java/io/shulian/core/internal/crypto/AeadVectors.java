package io.shulian.core.internal.crypto;

import java.util.Arrays;

/**
 * Runs a Wycheproof AEAD file (aead_test_schema_v1) through one {@link ContentCipher}. Our ciphers
 * take exactly one key size, 96-bit IVs and 128-bit tags; a vector with other sizes is not run as
 * an encryption, but it is checked that our API refuses its key or IV (IllegalArgumentException),
 * and it is counted as skipped with that reason.
 */
final class AeadVectors {
  private AeadVectors() {}

  static void run(String fileName, ContentCipher cipher) {
    Wycheproof file = Wycheproof.load(fileName);
    VectorTally tally = new VectorTally(file.file + " via " + cipher.joseName());
    for (Wycheproof.Case c : file.cases) {
      int keyBits = c.groupInt("keySize");
      int ivBits = c.groupInt("ivSize");
      int tagBits = c.groupInt("tagSize");
      byte[] key = c.hex("key");
      byte[] iv = c.hex("iv");
      byte[] aad = c.hex("aad");
      byte[] msg = c.hex("msg");
      byte[] ctAndTag = concat(c.hex("ct"), c.hex("tag"));
      if (tagBits != ContentCipher.TAG_BYTES * 8) {
        // Our tag is always 128 bits; a shorter published tag must never authenticate.
        try {
          cipher.decrypt(key, iv, aad, ctAndTag, ctAndTag.length);
          tally.fail(c, "a " + tagBits + "-bit tag authenticated");
        } catch (CryptoFailure | IllegalArgumentException expected) {
          tally.skipped(c, tagBits + "-bit tag (only 128-bit tags), refused by decrypt");
        }
        continue;
      }
      if (keyBits != cipher.keyBytes() * 8 || ivBits != ContentCipher.IV_BYTES * 8) {
        String what = keyBits != cipher.keyBytes() * 8 ? keyBits + "-bit key" : ivBits + "-bit IV";
        if (refusesParameters(cipher, key, iv, aad, msg, ctAndTag)) {
          tally.skipped(c, what + " (" + cipher.joseName() + " takes " + cipher.keyBytes() * 8
              + "-bit keys, 96-bit IVs), refused by the API");
        } else {
          tally.fail(c, what + " was not refused by the API");
        }
        continue;
      }
      switch (c.result()) {
        case VALID:
          byte[] ct = cipher.encrypt(key, iv, aad, msg, 0, msg.length);
          if (!Arrays.equals(ct, ctAndTag)) {
            tally.fail(c, "ciphertext||tag differs");
          }
          try {
            byte[] pt = cipher.decrypt(key, iv, aad, ctAndTag, ctAndTag.length);
            if (!Arrays.equals(pt, msg)) {
              tally.fail(c, "decrypted plaintext differs");
            }
          } catch (CryptoFailure e) {
            tally.fail(c, "valid ciphertext refused: " + e.getMessage());
          }
          break;
        case INVALID:
        case ACCEPTABLE:
          try {
            cipher.decrypt(key, iv, aad, ctAndTag, ctAndTag.length);
            if (c.result() == Wycheproof.Result.INVALID) {
              tally.fail(c, "invalid ciphertext decrypted");
            } else {
              tally.note("acceptable ciphertext decrypted");
            }
          } catch (CryptoFailure e) {
            if (e.kind() != CryptoFailure.Kind.DECRYPTION_FAILED) {
              tally.fail(c, "refused with " + e.kind());
            }
          }
          break;
        default:
          throw new AssertionError(c.result());
      }
      tally.ran(c);
    }
    tally.assertAllPassed();
  }

  private static boolean refusesParameters(
      ContentCipher cipher, byte[] key, byte[] iv, byte[] aad, byte[] msg, byte[] ctAndTag) {
    boolean encryptRefused = false;
    boolean decryptRefused = false;
    try {
      cipher.encrypt(key, iv, aad, msg, 0, msg.length);
    } catch (IllegalArgumentException e) {
      encryptRefused = true;
    }
    try {
      cipher.decrypt(key, iv, aad, ctAndTag, ctAndTag.length);
    } catch (IllegalArgumentException e) {
      decryptRefused = true;
    } catch (CryptoFailure e) {
      decryptRefused = false;
    }
    return encryptRefused && decryptRefused;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
