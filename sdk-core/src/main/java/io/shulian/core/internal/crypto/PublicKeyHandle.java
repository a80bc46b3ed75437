package io.shulian.core.internal.crypto;

import io.shulian.core.keys.KeyAlgorithm;
import java.util.Objects;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.jspecify.annotations.Nullable;

/** A decoded public key of one of the suites' algorithms. Immutable. */
public final class PublicKeyHandle {
  private final KeyAlgorithm algorithm;
  private final byte @Nullable [] raw;
  private final @Nullable ECPublicKeyParameters ec;

  PublicKeyHandle(KeyAlgorithm algorithm, byte @Nullable [] raw, @Nullable ECPublicKeyParameters ec) {
    this.algorithm = algorithm;
    this.raw = raw;
    this.ec = ec;
  }

  public KeyAlgorithm algorithm() {
    return algorithm;
  }

  /**
   * Returns a verifier for this key; SM2 keys verify with the GM/T 0009 default user id.
   *
   * @throws IllegalArgumentException if the key cannot sign or is not a valid point
   */
  public Verifier verifier() {
    return verifier(Sm2Keys.DEFAULT_USER_ID);
  }

  /**
   * Returns a verifier for this key.
   *
   * @param sm2UserId the GM/T 0009 user id, used only for SM2
   * @throws IllegalArgumentException if the key cannot sign or is not a valid point
   */
  public Verifier verifier(byte[] sm2UserId) {
    switch (algorithm) {
      case ED25519:
        return new Ed25519Keys.Verify(Objects.requireNonNull(raw));
      case P256:
        return new EcdsaP256Keys.Verify(Objects.requireNonNull(ec));
      case SM2:
        return new Sm2Keys.Verify(Objects.requireNonNull(ec), sm2UserId);
      default:
        throw new IllegalArgumentException(algorithm + " keys cannot sign");
    }
  }

  /**
   * Returns key management towards this key.
   *
   * @throws IllegalArgumentException if the key cannot be used for encryption
   */
  public KeyEncapsulation recipient() {
    switch (algorithm) {
      case X25519:
        return new KeyAgreements.X25519Recipient(Objects.requireNonNull(raw));
      case P256:
        return new KeyAgreements.P256Recipient(Objects.requireNonNull(ec));
      case SM2:
        return new KeyAgreements.Sm2Recipient(Objects.requireNonNull(ec));
      default:
        throw new IllegalArgumentException(algorithm + " keys cannot be used for encryption");
    }
  }
}
