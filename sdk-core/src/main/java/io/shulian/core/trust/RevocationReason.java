package io.shulian.core.trust;

/** Why the city CA revoked a certificate: the CRL reason codes of RFC 5280 §5.3.1 that apply. */
public enum RevocationReason {
  UNSPECIFIED(0),
  KEY_COMPROMISE(1),
  CA_COMPROMISE(2),
  AFFILIATION_CHANGED(3),
  SUPERSEDED(4),
  CESSATION_OF_OPERATION(5);

  private final int code;

  RevocationReason(int code) {
    this.code = code;
  }

  /** Returns the RFC 5280 CRLReason code. */
  public int code() {
    return code;
  }

  /**
   * Parses a name such as {@code key-compromise} or {@code KEY_COMPROMISE}.
   *
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  public static RevocationReason parse(String s) {
    String n = s.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    for (RevocationReason r : values()) {
      if (r.name().equals(n)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown revocation reason '" + s + "'; use one of "
        + "unspecified, key-compromise, ca-compromise, affiliation-changed, superseded, cessation-of-operation");
  }

  /** Returns the reason with this RFC 5280 code, UNSPECIFIED for any other. */
  static RevocationReason ofCode(int code) {
    for (RevocationReason r : values()) {
      if (r.code == code) {
        return r;
      }
    }
    return UNSPECIFIED;
  }
}
