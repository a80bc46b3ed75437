package io.shulian.core.keys;

/** The public-key algorithms a party key can have, and what each can be used for. */
public enum KeyAlgorithm {
  /** Ed25519 signatures (RFC 8032, JOSE {@code EdDSA}). */
  ED25519(Suite.INTL, true, false),
  /** X25519 key agreement (RFC 7748, JOSE {@code ECDH-ES} with an OKP key). */
  X25519(Suite.INTL, false, true),
  /** NIST P-256: ECDSA signatures (JOSE {@code ES256}) and ECDH-ES key agreement. */
  P256(Suite.INTL, true, true),
  /** SM2 (GB/T 32918): signatures with SM3 and public-key encryption. */
  SM2(Suite.GM, true, true);

  private final Suite suite;
  private final boolean canSign;
  private final boolean canEncrypt;

  KeyAlgorithm(Suite suite, boolean canSign, boolean canEncrypt) {
    this.suite = suite;
    this.canSign = canSign;
    this.canEncrypt = canEncrypt;
  }

  public Suite suite() {
    return suite;
  }

  public boolean canSign() {
    return canSign;
  }

  public boolean canEncrypt() {
    return canEncrypt;
  }
}
