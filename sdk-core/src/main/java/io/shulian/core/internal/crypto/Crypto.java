package io.shulian.core.internal.crypto;

import java.security.Provider;
import java.security.SecureRandom;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/** Shared, thread-safe crypto singletons. The BC provider is never installed globally. */
public final class Crypto {
  /** The Bouncy Castle provider, passed explicitly wherever a JCA name needs it. */
  public static final Provider BC = new BouncyCastleProvider();

  private static final SecureRandom RANDOM = new SecureRandom();

  private Crypto() {}

  /**
   * Returns a copy of the SM2 user id of GM/T 0009-2012, {@code 1234567812345678}: Shulian's
   * default for envelopes and the only id of grants, checkpoints and bundles. The one definition
   * is {@code Sm2Keys.DEFAULT_USER_ID}.
   */
  public static byte[] sm2DefaultUserId() {
    return Sm2Keys.DEFAULT_USER_ID.clone();
  }

  /** Returns the process-wide CSPRNG. */
  public static SecureRandom random() {
    return RANDOM;
  }

  /** Returns {@code n} fresh random bytes. */
  public static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
