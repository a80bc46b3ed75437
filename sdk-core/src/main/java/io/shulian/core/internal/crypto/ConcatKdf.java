package io.shulian.core.internal.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The Concat KDF of NIST SP 800-56A as profiled for JOSE ECDH-ES direct key agreement (RFC 7518
 * 4.6.2), with SHA-256, for keys of at most 256 bits (one round).
 */
final class ConcatKdf {
  private ConcatKdf() {}

  static byte[] deriveDirect(byte[] z, String enc, int keyBits) {
    return deriveDirect(z, enc, keyBits, new byte[0], new byte[0]);
  }

  /**
   * Derives with the given PartyUInfo and PartyVInfo (JOSE {@code apu}, {@code apv}, decoded).
   * Shulian's sealer sends a random {@code apu} when it reuses an ephemeral key ({@link
   * EphemeralKeyReuse}); RFC 7518 Appendix C's example uses both.
   */
  static byte[] deriveDirect(byte[] z, String enc, int keyBits, byte[] apu, byte[] apv) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (byte[] part : input(z, enc, keyBits, apu, apv)) {
        md.update(part);
      }
      return truncate(md.digest(), keyBits);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The same Concat KDF layout with SM3 in place of SHA-256 (one block: at most 256 bits), for
   * the GM suite's {@code SM2-PKE-KDF}: {@code SM3(1 ‖ Z ‖ len‖alg ‖ len‖apu ‖ len‖apv ‖ keyBits)}.
   */
  static byte[] deriveSm3(byte[] z, String enc, int keyBits, byte[] apu, byte[] apv) {
    org.bouncycastle.crypto.digests.SM3Digest d = new org.bouncycastle.crypto.digests.SM3Digest();
    for (byte[] part : input(z, enc, keyBits, apu, apv)) {
      d.update(part, 0, part.length);
    }
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return truncate(out, keyBits);
  }

  /**
   * The one-block hash input of RFC 7518 4.6.2 (NIST SP 800-56A): round 1, Z, AlgorithmID,
   * PartyUInfo, PartyVInfo (each length-prefixed), SuppPubInfo = key length in bits.
   */
  private static byte[][] input(byte[] z, String enc, int keyBits, byte[] apu, byte[] apv) {
    if (keyBits > 256 || keyBits % 8 != 0) {
      throw new IllegalArgumentException("key length must be a multiple of 8 up to 256 bits");
    }
    byte[] alg = enc.getBytes(StandardCharsets.US_ASCII);
    return new byte[][] {int32(1), z, int32(alg.length), alg, int32(apu.length), apu, int32(apv.length), apv,
        int32(keyBits)};
  }

  private static byte[] truncate(byte[] block, int keyBits) {
    return keyBits == 256 ? block : java.util.Arrays.copyOf(block, keyBits / 8);
  }

  private static byte[] int32(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }
}
