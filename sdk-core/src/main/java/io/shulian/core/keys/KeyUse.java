package io.shulian.core.keys;

/**
 * What a party key is for. A department holds a separate key for each use: signing envelopes,
 * receiving encrypted envelopes, and TLS between gateways.
 */
public enum KeyUse {
  /** Signing envelopes, grants and bundles (X.509 key usage digitalSignature). */
  SIGN,
  /** Receiving encrypted envelopes (keyAgreement for ECDH keys, keyEncipherment for SM2). */
  ENCRYPT,
  /** TLS client and server authentication between gateways. */
  TLS
}
