package io.shulian.core.internal.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 on Bouncy Castle's RFC 8032 code: about 6x the JDK's SunEC here. The public key is kept
 * next to the secret so that signing does not re-derive it, and the verifier keeps the decoded
 * public point so that each verification skips point decompression.
 */
final class Ed25519Keys {
  static final String ALG = "EdDSA";

  /** RFC 8032 Ed25519ph: SHA-512 prehash, signed with a context. */
  static final String PH_ALG = "Ed25519ph";

  static {
    Ed25519.precompute();
  }

  private Ed25519Keys() {}

  /** SHA-512 from the JDK: faster here than BC's Java SHA-512 (it can use CPU intrinsics). */
  static MessageDigest sha512() {
    try {
      return MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] checkContext(byte[] context) {
    if (context.length > 255) {
      throw new IllegalArgumentException("Ed25519ph context must be at most 255 bytes");
    }
    return context.clone();
  }

  static final class Sign implements Signer {
    private final byte[] sk;
    private final byte[] pk;

    Sign(byte[] sk) {
      if (sk.length != Ed25519.SECRET_KEY_SIZE) {
        throw new IllegalArgumentException("Ed25519 secret key must be 32 bytes");
      }
      this.sk = sk.clone();
      this.pk = new byte[Ed25519.PUBLIC_KEY_SIZE];
      Ed25519.generatePublicKey(this.sk, 0, pk, 0);
    }

    @Override
    public String joseAlgorithm() {
      return ALG;
    }

    @Override
    public byte[] sign(byte[] data, int off, int len) {
      byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
      Ed25519.sign(sk, 0, pk, 0, data, off, len, sig, 0);
      return sig;
    }

    @Override
    public String streamAlgorithm() {
      return PH_ALG;
    }

    @Override
    public Streaming stream(byte[] context) {
      byte[] ctx = checkContext(context);
      return Streaming.overDigest(sha512(), ph -> {
        byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.signPrehash(sk, 0, pk, 0, ctx, ph, 0, sig, 0);
        return sig;
      });
    }

    byte[] publicKey() {
      return pk.clone();
    }

    @Override
    public String toString() {
      return "Ed25519 signer";
    }
  }

  static final class Verify implements Verifier {
    private final Ed25519.PublicPoint point;

    /** @throws IllegalArgumentException if the key is not a valid, full-order curve point */
    Verify(byte[] pk) {
      if (pk.length != Ed25519.PUBLIC_KEY_SIZE) {
        throw new IllegalArgumentException("Ed25519 public key must be 32 bytes");
      }
      Ed25519.PublicPoint p = Ed25519.validatePublicKeyFullExport(pk, 0);
      if (p == null) {
        throw new IllegalArgumentException("Ed25519 public key is not a valid curve point");
      }
      this.point = p;
    }

    @Override
    public String joseAlgorithm() {
      return ALG;
    }

    @Override
    public boolean verify(byte[] data, int off, int len, byte[] sig) {
      if (sig.length != Ed25519.SIGNATURE_SIZE) {
        return false;
      }
      return Ed25519.verify(sig, 0, point, data, off, len);
    }

    @Override
    public String streamAlgorithm() {
      return PH_ALG;
    }

    @Override
    public Streaming stream(byte[] context) {
      byte[] ctx = checkContext(context);
      // BC checks that s < L and that R decodes (RFC 8032 5.1.7), as for pure Ed25519.
      return Streaming.overDigest(sha512(),
          (ph, sig) -> sig.length == Ed25519.SIGNATURE_SIZE && Ed25519.verifyPrehash(sig, 0, point, ctx, ph, 0));
    }
  }
}
