package io.shulian.core.internal.crypto;

import org.jspecify.annotations.Nullable;

/** An ephemeral public key as carried in a JWE {@code epk} header (RFC 7518 4.6.1.1, RFC 8037). */
public final class Epk {
  public final String kty;
  public final String crv;
  public final byte[] x;
  public final byte @Nullable [] y;

  public Epk(String kty, String crv, byte[] x, byte @Nullable [] y) {
    this.kty = kty;
    this.crv = crv;
    this.x = x;
    this.y = y;
  }
}
