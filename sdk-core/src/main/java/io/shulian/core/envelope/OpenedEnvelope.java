package io.shulian.core.envelope;

import io.shulian.core.keys.PartyCertificate;

/**
 * An envelope that was decrypted with our key, whose signature verified under a trusted
 * certificate of its sender, that is addressed to us, within its validity, and not seen before.
 * Only {@link EnvelopeOpener} creates one.
 */
public final class OpenedEnvelope {
  private final EnvelopeHeader header;
  private final byte[] payload;
  private final PartyCertificate signer;

  OpenedEnvelope(EnvelopeHeader header, byte[] payload, PartyCertificate signer) {
    this.header = header;
    this.payload = payload;
    this.signer = signer;
  }

  public EnvelopeHeader header() {
    return header;
  }

  /** Returns a copy of the verified payload. */
  public byte[] payload() {
    return payload.clone();
  }

  /** Returns the payload length in bytes. */
  public int payloadSize() {
    return payload.length;
  }

  /** Returns the certificate whose key signed the envelope. */
  public PartyCertificate signer() {
    return signer;
  }

  @Override
  public String toString() {
    return "OpenedEnvelope[" + header.id() + " from " + header.sender() + ", " + payload.length + " bytes]";
  }
}
