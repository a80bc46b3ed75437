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
  private final int signatureBatchSize;

  OpenedEnvelope(EnvelopeHeader header, byte[] payload, PartyCertificate signer) {
    this(header, payload, signer, 1);
  }

  OpenedEnvelope(EnvelopeHeader header, byte[] payload, PartyCertificate signer, int signatureBatchSize) {
    this.header = header;
    this.payload = payload;
    this.signer = signer;
    this.signatureBatchSize = signatureBatchSize;
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

  /**
   * Returns how many envelopes the sender's signature covers: 1 for a plain signature, more for a
   * batch signature ({@link EnvelopeSealer#sealBatch}).
   */
  public int signatureBatchSize() {
    return signatureBatchSize;
  }

  @Override
  public String toString() {
    return "OpenedEnvelope[" + header.id() + " from " + header.sender() + ", " + payload.length + " bytes]";
  }
}
