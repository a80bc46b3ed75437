package io.shulian.core.internal.crypto;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The sender's opt-in reuse of one ECDH-ES ephemeral key per recipient key for a bounded time and
 * number of envelopes. Each envelope still gets its own content key: the Concat KDF takes a fresh
 * random 16-byte {@code apu} per envelope, which the JWE carries in its protected header (so any
 * JOSE library derives the same key). What is saved is the sender's ephemeral key generation and
 * key agreement (two scalar multiplications) per envelope, and, with {@link SharedSecretCache},
 * the receiver's one.
 *
 * <p>The price: RFC 7518 4.6 asks for a new ephemeral key per key agreement, and a reused
 * ephemeral secret, if stolen from the sender's memory while it is in use, opens every envelope
 * sent to that recipient in its window (at most {@code maxAge}, at most {@code maxUses}
 * envelopes). The receiver's static key protects exactly as before.
 *
 * <p>GM (SM2 keys) has no key agreement to reuse, and an SM2 encryption must never reuse its k.
 * Instead the sender SM2-encrypts a random 32-byte seed once per window and writes JWE {@code
 * alg: SM2-PKE-KDF}: each envelope's content key is the Concat KDF over SM3 of the seed, its own
 * random {@code apu} and the content algorithm. The receiver keeps decrypted seeds by ciphertext.
 * The window and its price are the same as for ECDH-ES.
 */
public final class EphemeralKeyReuse {
  private static final int APU_BYTES = 16;

  private final long maxUses;
  private final Cache<String, Shared> shared;

  /** ECDH-ES: the ephemeral key and Z. SM2-PKE-KDF: the seed (as z) and its SM2 ciphertext. */
  private static final class Shared {
    final @Nullable Epk epk;
    final byte[] z;
    final byte[] encryptedKey;
    final AtomicLong uses = new AtomicLong();

    Shared(KeyAgreements.Agreement a) {
      this.epk = a.epk;
      this.z = a.z;
      this.encryptedKey = new byte[0];
    }

    Shared(byte[][] seedAndCiphertext) {
      this.epk = null;
      this.z = seedAndCiphertext[0];
      this.encryptedKey = seedAndCiphertext[1];
    }
  }

  /**
   * @param maxAge how long one ephemeral key is used, at most 1 hour
   * @param maxUses how many envelopes one ephemeral key seals at most
   */
  public EphemeralKeyReuse(Duration maxAge, long maxUses) {
    check(maxAge, maxUses);
    this.maxUses = maxUses;
    this.shared = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(maxAge).executor(Runnable::run).build();
  }

  /**
   * Checks the arguments of {@link #EphemeralKeyReuse(Duration, long)}.
   *
   * @throws IllegalArgumentException unless {@code maxAge} is in (0, 1 h] and {@code maxUses} ≥ 1
   */
  public static void check(Duration maxAge, long maxUses) {
    if (maxAge.isNegative() || maxAge.isZero() || maxAge.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("ephemeral key reuse must be between 1 ms and 1 hour, got " + maxAge);
    }
    if (maxUses < 1) {
      throw new IllegalArgumentException("ephemeral key reuse count must be positive, got " + maxUses);
    }
  }

  /**
   * Encapsulates a content key for {@code enc} towards {@code recipient}, whose key is identified
   * by {@code recipientKeyId}; reuses the recipient's current ephemeral key when the suite uses
   * ECDH-ES, and otherwise encapsulates as usual.
   */
  public Encapsulated encapsulate(String recipientKeyId, KeyEncapsulation recipient, String enc) {
    if (recipient instanceof KeyAgreements.Sm2Recipient) {
      KeyAgreements.Sm2Recipient sm2 = (KeyAgreements.Sm2Recipient) recipient;
      Shared s = current(recipientKeyId, () -> new Shared(sm2.newSeed()));
      byte[] apu = Crypto.randomBytes(APU_BYTES);
      byte[] cek = ConcatKdf.deriveSm3(s.z, enc, ContentCipher.SM4GCM.keyBytes() * 8, apu, new byte[0]);
      return new Encapsulated(cek, null, s.encryptedKey, apu, KeyAgreements.SM2_PKE_KDF);
    }
    if (!(recipient instanceof KeyAgreements.EcdhRecipient)) {
      return recipient.encapsulate(enc);
    }
    KeyAgreements.EcdhRecipient ecdh = (KeyAgreements.EcdhRecipient) recipient;
    Shared s = current(recipientKeyId, () -> new Shared(ecdh.agree()));
    byte[] apu = Crypto.randomBytes(APU_BYTES);
    byte[] cek = ConcatKdf.deriveDirect(s.z, enc, 256, apu, new byte[0]);
    return new Encapsulated(cek, s.epk, new byte[0], apu);
  }

  /** The recipient's current shared secret, replaced once it has been used {@code maxUses} times. */
  private Shared current(String recipientKeyId, java.util.function.Supplier<Shared> fresh) {
    Shared s = shared.get(recipientKeyId, k -> fresh.get());
    while (s.uses.incrementAndGet() > maxUses) {
      shared.asMap().remove(recipientKeyId, s);
      s = shared.get(recipientKeyId, k -> fresh.get());
    }
    return s;
  }

  @Override
  public String toString() {
    return "EphemeralKeyReuse[maxUses=" + maxUses + "]";
  }
}
