package io.shulian.core.internal.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The Concat KDF of NIST SP 800-56A as profiled for JOSE ECDH-ES direct key agreement (RFC 7518
 * 4.6.2), with SHA-256, empty PartyUInfo and PartyVInfo, for keys of at most 256 bits (one round).
 */
final class ConcatKdf {
  private ConcatKdf() {}

  static byte[] deriveDirect(byte[] z, String enc, int keyBits) {
    if (keyBits > 256 || keyBits % 8 != 0) {
      throw new IllegalArgumentException("key length must be a multiple of 8 up to 256 bits");
    }
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(new byte[] {0, 0, 0, 1});
      md.update(z);
      byte[] alg = enc.getBytes(StandardCharsets.US_ASCII);
      md.update(int32(alg.length));
      md.update(alg);
      md.update(int32(0)); // PartyUInfo
      md.update(int32(0)); // PartyVInfo
      md.update(int32(keyBits)); // SuppPubInfo
      byte[] out = md.digest();
      return keyBits == 256 ? out : java.util.Arrays.copyOf(out, keyBits / 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] int32(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }
}
