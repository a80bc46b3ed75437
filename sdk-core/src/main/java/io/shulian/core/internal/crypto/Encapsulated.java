package io.shulian.core.internal.crypto;

import org.jspecify.annotations.Nullable;

/** The sender's side of key management: the content key and what the JWE must carry to recover it. */
public final class Encapsulated {
  public final byte[] cek;
  public final @Nullable Epk epk;
  public final byte[] encryptedKey;
  /** The JWE {@code apu} to send (decoded), empty if none. */
  public final byte[] apu;

  Encapsulated(byte[] cek, @Nullable Epk epk, byte[] encryptedKey) {
    this(cek, epk, encryptedKey, new byte[0]);
  }

  Encapsulated(byte[] cek, @Nullable Epk epk, byte[] encryptedKey, byte[] apu) {
    this.cek = cek;
    this.epk = epk;
    this.encryptedKey = encryptedKey;
    this.apu = apu;
  }
}
