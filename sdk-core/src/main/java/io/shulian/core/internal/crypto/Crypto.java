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
