package io.shulian.core.audit;

import io.shulian.core.keys.Suite;

/** A 256-bit hash function: of the log (chain and Merkle tree) or of an audited payload. */
public enum HashAlgorithm {
  SHA_256(1, "SHA-256"),
  /** GB/T 32905 SM3, for logs and payloads of the GM suite. */
  SM3(2, "SM3");

  private final int id;
  private final String displayName;

  HashAlgorithm(int id, String displayName) {
    this.id = id;
    this.displayName = displayName;
  }

  /** The byte that names this algorithm in the log format. */
  public int id() {
    return id;
  }

  /** The usual name: {@code SHA-256} or {@code SM3}. */
  public String displayName() {
    return displayName;
  }

  /** SM3 for GM, SHA-256 for INTL. */
  public static HashAlgorithm of(Suite suite) {
    return suite == Suite.GM ? SM3 : SHA_256;
  }

  /** @throws IllegalArgumentException for an unknown id */
  public static HashAlgorithm ofId(int id) {
    for (HashAlgorithm a : values()) {
      if (a.id == id) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown hash algorithm id " + id);
  }

  /** @throws IllegalArgumentException for an unknown name */
  public static HashAlgorithm ofName(String name) {
    for (HashAlgorithm a : values()) {
      if (a.displayName.equalsIgnoreCase(name) || a.name().equalsIgnoreCase(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown hash algorithm '" + name + "' (SHA-256 or SM3)");
  }
}
