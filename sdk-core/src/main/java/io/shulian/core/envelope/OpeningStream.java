package io.shulian.core.envelope;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * Opens a framed envelope whose bytes are pushed in pieces, in constant memory (one ciphertext and
 * one plaintext segment): the push-style {@link EnvelopeOpener#openStream}, for event loops and
 * other callers that receive the envelope as it arrives. Made by {@link EnvelopeOpener#openingStream}.
 *
 * <p>The checks and their order are those of {@code openStream} (docs/envelope-format.md, "Framed
 * encoding"): the signed header, sender trust, receiver and validity window are checked before the
 * first payload byte goes to the plaintext stream ({@link #header()} is then present); each segment
 * is authenticated before its bytes go on. <b>What was written to the plaintext stream before
 * {@link #finish()} returns is not yet authenticated as the sender's</b>: the signature over the
 * whole stream, the expected sender and the replay check come only in {@code finish()}, after the
 * last segment. A caller that forwards plaintext early must present it as incomplete until then,
 * and discard or flag it as failed on any exception.
 *
 * <p>After an exception from {@link #write} or {@link #finish} the stream is failed: further calls
 * throw {@link IllegalStateException}. Not thread-safe: one thread at a time.
 */
public final class OpeningStream implements AutoCloseable {
  private final FramedOpener.Push push;
  private boolean done;
  private boolean failed;

  OpeningStream(FramedOpener.Push push) {
    this.push = push;
  }

  /**
   * Feeds the next bytes of the envelope; payload bytes of every segment that authenticates go to
   * the plaintext stream (less the last 64 bytes seen, which may be the signature).
   *
   * @throws EnvelopeException a subclass per reason, as {@link EnvelopeOpener#openStream} throws
   * @throws IOException if writing the plaintext stream fails
   */
  public void write(byte[] b, int off, int len) throws EnvelopeException, IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    usable();
    try {
      push.write(b, off, len);
    } catch (EnvelopeException | IOException | RuntimeException e) {
      fail();
      throw e;
    }
  }

  /**
   * Ends the input: the last segment, then the signature over the whole stream, the expected sender
   * and the replay cache. Only when this returns is the payload written the sender's, complete.
   *
   * @return the verified header
   * @throws EnvelopeException a subclass per reason: {@link MalformedEnvelopeException} or
   *     {@link DecryptionFailedException} for a stream that ends early (truncation),
   *     {@link BadSignatureException}, {@link SenderMismatchException}, {@link ReplayedEnvelopeException}
   */
  public EnvelopeHeader finish() throws EnvelopeException, IOException {
    usable();
    try {
      EnvelopeHeader h = push.finish();
      done = true;
      push.abandon();
      return h;
    } catch (EnvelopeException | IOException | RuntimeException e) {
      fail();
      throw e;
    }
  }

  /**
   * The signed header once it was checked (sender trusted, addressed to us, timely), which happens
   * before the first payload byte is released; empty before that. Not yet covered by a verified
   * signature until {@link #finish()} returns.
   */
  public Optional<EnvelopeHeader> header() {
    return Optional.ofNullable(push.header());
  }

  /**
   * The digest of the whole payload (SHA-256 in the INTL suite, SM3 in GM), present only once
   * {@link #finish()} returned: the signature verified (framed v2 signs exactly this digest and the
   * payload length; for v1 it is computed alongside the signature). Empty before that or after a
   * failure.
   */
  public Optional<byte[]> payloadDigest() {
    return done ? Optional.ofNullable(push.payloadDigest()) : Optional.empty();
  }

  /**
   * The digest of the payload bytes released to the plaintext stream so far, <b>not
   * authenticated</b>: for the record of a transfer that was cut off (what was handed on), never as
   * the sender's. Once {@link #finish()} returned it equals {@link #payloadDigest()}.
   */
  public byte[] releasedDigest() {
    return push.releasedDigest();
  }

  /** Payload bytes released to the plaintext stream so far. */
  public long payloadBytes() {
    return push.payloadBytes();
  }

  /** Segments authenticated so far. */
  public long segments() {
    return push.segments();
  }

  /** Envelope bytes fed so far. */
  public long envelopeBytes() {
    return push.receivedBytes();
  }

  /** Gives up an unfinished envelope and wipes the content key; the plaintext stream is not closed. */
  @Override
  public void close() {
    if (!done) {
      fail();
    }
  }

  private void fail() {
    failed = true;
    push.abandon();
  }

  private void usable() {
    if (done || failed) {
      throw new IllegalStateException(done ? "the envelope is already finished" : "the envelope failed or was abandoned");
    }
  }
}
