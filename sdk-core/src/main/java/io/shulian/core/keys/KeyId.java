package io.shulian.core.keys;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Names one certificate: the base64url SHA-256 thumbprint of its DER encoding (JOSE
 * {@code x5t#S256}). Envelopes carry it as {@code kid} so that a party may hold several keys at
 * once (rotation) and the opener picks the right one.
 */
public final class KeyId {
  private static final Pattern FORM = Pattern.compile("[A-Za-z0-9_-]{43}");
  private final String value;

  private KeyId(String value) {
    this.value = value;
  }

  /**
   * Parses a key id as it appears in a {@code kid} header.
   *
   * @throws IllegalArgumentException unless it is 43 base64url characters
   */
  public static KeyId parse(String value) {
    if (!FORM.matcher(value).matches()) {
      throw new IllegalArgumentException("key id must be 43 base64url characters (SHA-256 thumbprint)");
    }
    return new KeyId(value);
  }

  /** Returns the key id of a certificate given its DER encoding. */
  public static KeyId ofCertificate(byte[] der) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(der);
      return new KeyId(Base64.getUrlEncoder().withoutPadding().encodeToString(hash));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  public String value() {
    return value;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof KeyId && ((KeyId) o).value.equals(value);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
