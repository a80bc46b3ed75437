package io.shulian.core.keys;

/**
 * A family of algorithms that an envelope uses end to end. Suites never mix: the suite follows the
 * recipient's encryption key, and a sender whose signing key is of another suite is refused rather
 * than silently downgraded.
 */
public enum Suite {
  /** Ed25519 or ECDSA P-256 signatures, X25519 or P-256 ECDH-ES key agreement, AES-256-GCM. */
  INTL,
  /** SM2 signatures with SM3 (GM/T 0009 user id), SM2 encryption of the content key, SM4-GCM. */
  GM
}
