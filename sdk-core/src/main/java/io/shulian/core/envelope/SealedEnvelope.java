package io.shulian.core.envelope;

import java.nio.charset.StandardCharsets;

/**
 * A sealed envelope: the header that was signed and the encoded bytes (compact JWE text, or the
 * framed binary form). Immutable.
 */
public final class SealedEnvelope {
  private final EnvelopeHeader header;
  private final byte[] encoded;
  private final EnvelopeEncoding encoding;

  SealedEnvelope(EnvelopeHeader header, byte[] encoded) {
    this(header, encoded, EnvelopeEncoding.COMPACT);
  }

  SealedEnvelope(EnvelopeHeader header, byte[] encoded, EnvelopeEncoding encoding) {
    this.header = header;
    this.encoded = encoded;
    this.encoding = encoding;
  }

  public EnvelopeHeader header() {
    return header;
  }

  /** Returns the encoding these bytes are in. */
  public EnvelopeEncoding encoding() {
    return encoding;
  }

  /** Returns a copy of the encoded envelope (ASCII for compact, binary for framed). */
  public byte[] toByteArray() {
    return encoded.clone();
  }

  /** Returns the length of the encoded envelope in bytes. */
  public int size() {
    return encoded.length;
  }

  /**
   * Returns the compact serialization as text.
   *
   * @throws IllegalStateException if the envelope is framed (binary, not text)
   */
  public String toCompactString() {
    if (encoding != EnvelopeEncoding.COMPACT) {
      throw new IllegalStateException("a " + encoding + " envelope has no compact serialization");
    }
    return new String(encoded, StandardCharsets.US_ASCII);
  }

  @Override
  public String toString() {
    return "SealedEnvelope[" + header.id() + ", " + encoding + ", " + encoded.length + " bytes]";
  }
}
