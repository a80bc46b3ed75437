package io.shulian.core.internal.crypto;

import org.jspecify.annotations.Nullable;

/** The sender's side of key management: the content key and what the JWE must carry to recover it. */
public final class Encapsulated {
  public final byte[] cek;
  public final @Nullable Epk epk;
  public final byte[] encryptedKey;
  /** The JWE {@code apu} to send (decoded), empty if none. */
  public final byte[] apu;
  /** The JWE {@code alg} to write when it is not the key's usual one (SM2-PKE-KDF), else null. */
  public final @Nullable String alg;

  Encapsulated(byte[] cek, @Nullable Epk epk, byte[] encryptedKey) {
    this(cek, epk, encryptedKey, new byte[0]);
  }

  Encapsulated(byte[] cek, @Nullable Epk epk, byte[] encryptedKey, byte[] apu) {
    this(cek, epk, encryptedKey, apu, null);
  }

  Encapsulated(byte[] cek, @Nullable Epk epk, byte[] encryptedKey, byte[] apu, @Nullable String alg) {
    this.cek = cek;
    this.epk = epk;
    this.encryptedKey = encryptedKey;
    this.apu = apu;
    this.alg = alg;
  }

  /** The JWE {@code alg} for these bytes: {@link #alg}, or the encapsulating key's usual one. */
  public String algorithm(KeyEncapsulation kem) {
    return alg != null ? alg : kem.joseAlgorithm();
  }
}
