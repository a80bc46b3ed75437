package io.shulian.core.envelope;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Seals a payload pushed in pieces into a framed envelope, in constant memory (about two segments):
 * what is written here is signed and encrypted segment by segment, and each segment goes to the
 * underlying stream as soon as it is full and more plaintext follows. Made by {@link
 * EnvelopeSealer#sealingStream}.
 *
 * <p><b>Only {@link #finish()} completes the envelope.</b> It signs the payload and writes the last
 * segment; until then the output is not an envelope any receiver accepts (the final-segment flag
 * and the signature are missing). {@link #close()} without {@code finish()} abandons the envelope,
 * so an exception inside a try-with-resources block never turns a truncated payload into a valid
 * envelope. Neither method closes the underlying stream.
 *
 * <p>Not thread-safe: one thread at a time (a Netty event loop, say) writes and finishes.
 */
public final class SealingStream extends OutputStream {
  private final FramedSealer.Push push;
  private final EnvelopeHeader header;
  private long payloadBytes;
  private boolean finished;
  private boolean closed;

  SealingStream(FramedSealer.Push push, EnvelopeHeader header) {
    this.push = push;
    this.header = header;
  }

  /** Returns the header that is signed with the payload. */
  public EnvelopeHeader header() {
    return header;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  /**
   * Adds payload bytes.
   *
   * @throws IllegalStateException after {@link #finish()} or {@link #close()}
   */
  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    open();
    push.payload(b, off, len);
    payloadBytes += len;
  }

  /**
   * Signs the payload written so far and writes the last segment: the envelope is complete.
   *
   * @return the signed header
   * @throws IllegalStateException if already finished or closed
   */
  public EnvelopeHeader finish() throws IOException {
    open();
    finished = true;
    push.end();
    return header;
  }

  /** Payload bytes written so far. */
  public long payloadBytes() {
    return payloadBytes;
  }

  /**
   * The digest of the payload bytes written so far: SHA-256 in the INTL suite, SM3 in GM. After
   * {@link #finish()} it is that of the whole payload, which the framed v2 signature covers (with
   * the payload length), so a caller that audits the payload need not hash it again. A resumed
   * envelope is given its payload again from the first byte: the digest is that of the whole.
   */
  public byte[] payloadDigest() {
    return push.payloadDigest();
  }

  /** Segments written to the underlying stream so far (all of them after {@link #finish()}). */
  public long segments() {
    return push.segments();
  }

  /**
   * What a continuation of this envelope needs, when it was started by {@link
   * EnvelopeSealer#resumableSealingStream} or {@link EnvelopeSealer#resumeSealingStream}; empty
   * otherwise.
   */
  public java.util.Optional<StreamResumption> resumption() {
    return java.util.Optional.ofNullable(push.resumption());
  }

  /** Whether {@link #finish()} completed the envelope. */
  public boolean isFinished() {
    return finished;
  }

  /** Abandons the envelope unless it was finished (the content key is wiped either way). */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      push.abandon();
    }
  }

  private void open() {
    if (finished || closed) {
      throw new IllegalStateException(finished ? "the envelope is already finished" : "the envelope was abandoned");
    }
  }
}
