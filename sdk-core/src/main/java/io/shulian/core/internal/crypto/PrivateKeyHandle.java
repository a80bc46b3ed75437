package io.shulian.core.internal.crypto;

import io.shulian.core.keys.KeyAlgorithm;
import java.util.Objects;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.jspecify.annotations.Nullable;

/** A decoded private key. Its {@code toString} never shows key material. */
public final class PrivateKeyHandle {
  private final KeyAlgorithm algorithm;
  private final byte @Nullable [] raw;
  private final @Nullable ECPrivateKeyParameters ec;

  PrivateKeyHandle(KeyAlgorithm algorithm, byte @Nullable [] raw, @Nullable ECPrivateKeyParameters ec) {
    this.algorithm = algorithm;
    this.raw = raw == null ? null : raw.clone();
    this.ec = ec;
  }

  public KeyAlgorithm algorithm() {
    return algorithm;
  }

  /** Returns a thread-safe signer; SM2 keys sign with the GM/T 0009 default user id. */
  public Signer signer() {
    return signer(Sm2Keys.DEFAULT_USER_ID);
  }

  /** Returns a thread-safe signer; the SM2 user id is used only for SM2 keys. */
  public Signer signer(byte[] sm2UserId) {
    switch (algorithm) {
      case ED25519:
        return new Ed25519Keys.Sign(Objects.requireNonNull(raw));
      case P256:
        return new EcdsaP256Keys.Sign(Objects.requireNonNull(ec));
      case SM2:
        return new Sm2Keys.Sign(Objects.requireNonNull(ec), sm2UserId);
      default:
        throw new IllegalArgumentException(algorithm + " keys cannot sign");
    }
  }

  /** Returns thread-safe key recovery for envelopes encrypted to this key. */
  public KeyDecapsulation decrypter() {
    switch (algorithm) {
      case X25519:
        return new KeyAgreements.X25519Decrypter(Objects.requireNonNull(raw));
      case P256:
        return new KeyAgreements.P256Decrypter(Objects.requireNonNull(ec));
      case SM2:
        return new KeyAgreements.Sm2Decrypter(Objects.requireNonNull(ec));
      default:
        throw new IllegalArgumentException(algorithm + " keys cannot decrypt");
    }
  }

  @Override
  public String toString() {
    return "PrivateKey[" + algorithm + ", material hidden]";
  }
}
