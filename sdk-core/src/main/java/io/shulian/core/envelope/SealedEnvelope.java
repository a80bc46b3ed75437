package io.shulian.core.envelope;

import java.nio.charset.StandardCharsets;

/** A sealed envelope: the header that was signed and the compact JWE bytes (ASCII). Immutable. */
public final class SealedEnvelope {
  private final EnvelopeHeader header;
  private final byte[] encoded;

  SealedEnvelope(EnvelopeHeader header, byte[] encoded) {
    this.header = header;
    this.encoded = encoded;
  }

  public EnvelopeHeader header() {
    return header;
  }

  /** Returns a copy of the compact serialization (ASCII bytes). */
  public byte[] toByteArray() {
    return encoded.clone();
  }

  /** Returns the length of the compact serialization in bytes. */
  public int size() {
    return encoded.length;
  }

  /** Returns the compact serialization as text. */
  public String toCompactString() {
    return new String(encoded, StandardCharsets.US_ASCII);
  }

  @Override
  public String toString() {
    return "SealedEnvelope[" + header.id() + ", " + encoded.length + " bytes]";
  }
}
