package io.shulian.gateway.seal;

import io.shulian.core.envelope.EnvelopeException;
import io.shulian.core.envelope.OpeningStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Consumer role: cuts a framed envelope arriving in pieces at its segment boundaries and passes
 * only whole units (the preamble, then each complete segment) to the {@link OpeningStream}, so that
 * after a cut connection the opener stands exactly after the last complete segment and a
 * continuation can start at the next one (docs/return-flow.md "Resume"). A continuation starts
 * with the envelope's preamble again, which must be byte for byte the one of the first connection
 * (the same key, nonce prefix and segment size); it is checked and not passed on again. Holds at
 * most one segment (1 MiB + 20 bytes). Confined to one thread.
 */
final class FramedSegments {
  /** The largest segment on the wire: 1 MiB of plaintext, the length prefix and the tag. */
  static final int MAX_SEGMENT_WIRE_BYTES = 4 + 1024 * 1024 + 16;
  private static final int PREAMBLE_FIXED = 7;
  private static final int MAX_OUTER_HEADER = 8192;

  /** A continuation's preamble is not the envelope's: it is another envelope. */
  static final class PreambleMismatch extends IOException {
    private static final long serialVersionUID = 1L;

    PreambleMismatch() {
      super("the continuation is not the same envelope");
    }
  }

  private byte[] buf = new byte[PREAMBLE_FIXED];
  private int fill;
  /** Bytes the unit being collected needs: unknown (-1) until its length prefix arrived. */
  private int need = PREAMBLE_FIXED;
  private boolean inPreamble = true;
  private byte[] preamble = new byte[0];
  private boolean continuation;
  private long segments;

  /** Complete segments passed on so far: a continuation asks for the next one. */
  long segments() {
    return segments;
  }

  /** Whether the preamble of the first connection was passed on (a continuation can be asked for). */
  boolean started() {
    return preamble.length > 0;
  }

  /** The connection was cut: what is held of an incomplete unit is dropped; the preamble comes again. */
  void continuation() {
    Arrays.fill(buf, 0, fill, (byte) 0);
    fill = 0;
    need = PREAMBLE_FIXED;
    inPreamble = true;
    continuation = true;
  }

  void feed(byte[] b, int off, int len, OpeningStream to) throws EnvelopeException, IOException {
    while (len > 0) {
      if (fill + Math.min(len, need - fill) > buf.length) {
        buf = Arrays.copyOf(buf, need);
      }
      int n = Math.min(len, need - fill);
      System.arraycopy(b, off, buf, fill, n);
      fill += n;
      off += n;
      len -= n;
      if (fill == need) {
        unit(to);
      }
    }
  }

  private void unit(OpeningStream to) throws EnvelopeException, IOException {
    if (inPreamble) {
      if (need == PREAMBLE_FIXED) {
        int l = ((buf[5] & 0xff) << 8) | (buf[6] & 0xff);
        if (l > MAX_OUTER_HEADER) {
          throw new IOException("framed preamble too long");
        }
        need = PREAMBLE_FIXED + l;
        if (need > fill) {
          return;
        }
      }
      byte[] p = Arrays.copyOf(buf, fill);
      if (continuation) {
        if (!MessageDigest.isEqual(p, preamble)) {
          throw new PreambleMismatch();
        }
      } else {
        preamble = p;
        to.write(p, 0, p.length);
      }
      inPreamble = false;
      fill = 0;
      need = 4;
      return;
    }
    if (need == 4) {
      long c = ((buf[0] & 0xffL) << 24) | ((buf[1] & 0xff) << 16) | ((buf[2] & 0xff) << 8) | (buf[3] & 0xff);
      if (c < 16 || c + 4 > MAX_SEGMENT_WIRE_BYTES) {
        // let the opener name the malformed segment
        to.write(buf, 0, 4);
        throw new IOException("framed segment of a length no sealer makes");
      }
      need = (int) c + 4;
      return;
    }
    to.write(buf, 0, fill);
    segments++;
    fill = 0;
    need = 4;
  }
}
