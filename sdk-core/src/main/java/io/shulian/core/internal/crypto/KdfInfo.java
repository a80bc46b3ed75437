package io.shulian.core.internal.crypto;

import java.util.Objects;

/**
 * The party information of a JOSE ECDH-ES key derivation (RFC 7518 4.6.2): the decoded {@code apu}
 * and {@code apv} header parameters, each empty when absent. Shulian's sealer sends a random
 * {@code apu} only when it reuses an ephemeral key, so that every envelope still gets its own
 * content key.
 */
public final class KdfInfo {
  /** Longest {@code apu} or {@code apv} accepted, in bytes. */
  public static final int MAX_BYTES = 64;

  public static final KdfInfo NONE = new KdfInfo(new byte[0], new byte[0]);

  final byte[] apu;
  final byte[] apv;

  private KdfInfo(byte[] apu, byte[] apv) {
    this.apu = apu;
    this.apv = apv;
  }

  /**
   * Returns the info for the given decoded values.
   *
   * @throws IllegalArgumentException if either is longer than {@link #MAX_BYTES}
   */
  public static KdfInfo of(byte[] apu, byte[] apv) {
    Objects.requireNonNull(apu, "apu");
    Objects.requireNonNull(apv, "apv");
    if (apu.length > MAX_BYTES || apv.length > MAX_BYTES) {
      throw new IllegalArgumentException("apu and apv may be at most " + MAX_BYTES + " bytes");
    }
    return apu.length == 0 && apv.length == 0 ? NONE : new KdfInfo(apu.clone(), apv.clone());
  }

  public boolean isEmpty() {
    return apu.length == 0 && apv.length == 0;
  }
}
