package io.shulian.core.internal.crypto;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithID;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.PlainDSAEncoding;
import org.bouncycastle.crypto.signers.SM2Signer;

/**
 * SM2 signatures with SM3 (GB/T 32918.2, GM/T 0009) on Bouncy Castle, signatures as r||s (64 bytes).
 *
 * <p>Initialising a BC {@link SM2Signer} for signing derives the public point and the Z value, which
 * costs about three signatures; so each thread keeps one initialised signer per key and reuses it
 * (BC resets the signer to the Z-prefixed state after every signature).
 */
final class Sm2Keys {
  static final String ALG = "SM2-SM3";

  /** The user id of GM/T 0009-2012 ("1234567812345678"), the default in Shulian. */
  static final byte[] DEFAULT_USER_ID = "1234567812345678".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private Sm2Keys() {}

  /**
   * Initialised signers lent to streaming signatures. A stream may outlive one call on its thread
   * (or interleave with another stream on it), so it cannot borrow the thread's signer; it takes
   * one from here, or initialises a new one, and returns it when finished. An abandoned stream just
   * never returns its signer.
   */
  static final class Pool {
    private static final int MAX_IDLE = 16;
    private final Queue<SM2Signer> idle = new ConcurrentLinkedQueue<>();
    private final Supplier<SM2Signer> factory;

    Pool(Supplier<SM2Signer> factory) {
      this.factory = factory;
    }

    SM2Signer take() {
      SM2Signer s = idle.poll();
      if (s == null) {
        return factory.get();
      }
      s.reset(); // back to the Z-prefixed state, whatever the last user left
      return s;
    }

    void give(SM2Signer s) {
      if (idle.size() < MAX_IDLE) {
        idle.offer(s);
      }
    }
  }

  static final class Sign implements Signer {
    private final ThreadLocal<SM2Signer> signers;
    private final Pool pool;

    Sign(ECPrivateKeyParameters key, byte[] userId) {
      byte[] id = userId.clone();
      Supplier<SM2Signer> factory =
          () -> {
            SM2Signer s = new SM2Signer(PlainDSAEncoding.INSTANCE, new SM3Digest());
            s.init(true, new ParametersWithID(new ParametersWithRandom(key, Crypto.random()), id));
            return s;
          };
      this.signers = ThreadLocal.withInitial(factory);
      this.pool = new Pool(factory);
    }

    @Override
    public String streamAlgorithm() {
      return ALG;
    }

    @Override
    public Streaming stream(byte[] context) {
      SM2Signer s = pool.take();
      return new Streaming() {
        private boolean done;

        @Override
        public void update(byte[] data, int off, int len) {
          if (done) {
            throw new IllegalStateException("signature already finished");
          }
          s.update(data, off, len);
        }

        @Override
        public byte[] finish() {
          if (done) {
            throw new IllegalStateException("signature already finished");
          }
          done = true;
          try {
            byte[] sig = s.generateSignature();
            pool.give(s);
            return sig;
          } catch (CryptoException e) {
            throw new IllegalStateException("SM2 signing failed", e);
          }
        }
      };
    }

    @Override
    public String joseAlgorithm() {
      return ALG;
    }

    @Override
    public byte[] sign(byte[] data, int off, int len) {
      SM2Signer s = signers.get();
      s.update(data, off, len);
      try {
        return s.generateSignature();
      } catch (CryptoException e) {
        throw new IllegalStateException("SM2 signing failed", e);
      }
    }
  }

  static final class Verify implements Verifier {
    private final ThreadLocal<SM2Signer> verifiers;
    private final Pool pool;
    private final BigInteger n;

    Verify(ECPublicKeyParameters key, byte[] userId) {
      byte[] id = userId.clone();
      this.n = key.getParameters().getN();
      Supplier<SM2Signer> factory =
          () -> {
            SM2Signer s = new SM2Signer(PlainDSAEncoding.INSTANCE, new SM3Digest());
            s.init(false, new ParametersWithID(key, id));
            return s;
          };
      this.verifiers = ThreadLocal.withInitial(factory);
      this.pool = new Pool(factory);
    }

    private boolean inRange(byte[] sig) {
      if (sig.length != 64) {
        return false;
      }
      BigInteger r = new BigInteger(1, Arrays.copyOfRange(sig, 0, 32));
      BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
      return r.signum() > 0 && s.signum() > 0 && r.compareTo(n) < 0 && s.compareTo(n) < 0;
    }

    @Override
    public String streamAlgorithm() {
      return ALG;
    }

    @Override
    public Streaming stream(byte[] context) {
      SM2Signer v = pool.take();
      return new Streaming() {
        private boolean done;

        @Override
        public void update(byte[] data, int off, int len) {
          if (done) {
            throw new IllegalStateException("verification already finished");
          }
          v.update(data, off, len);
        }

        @Override
        public boolean finish(byte[] sig) {
          if (done) {
            throw new IllegalStateException("verification already finished");
          }
          done = true;
          boolean ok = inRange(sig) && v.verifySignature(sig);
          pool.give(v); // take() resets it
          return ok;
        }
      };
    }

    @Override
    public String joseAlgorithm() {
      return ALG;
    }

    @Override
    public boolean verify(byte[] data, int off, int len, byte[] sig) {
      if (sig.length != 64) {
        return false;
      }
      BigInteger r = new BigInteger(1, Arrays.copyOfRange(sig, 0, 32));
      BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
      if (r.signum() <= 0 || s.signum() <= 0 || r.compareTo(n) >= 0 || s.compareTo(n) >= 0) {
        return false;
      }
      SM2Signer v = verifiers.get();
      v.reset();
      v.update(data, off, len);
      return v.verifySignature(sig);
    }
  }
}
