package io.shulian.gateway.ship;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.shulian.core.audit.Checkpoint;
import io.shulian.core.audit.RecordBatch;
import io.shulian.core.keys.PartyCertificate;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the collector's JSON form of a batch (the body of {@code POST /v1/events} and the value of
 * a Kafka record) straight from the record bytes into one array of its exact size: each body
 * base64-encoded from the batch's read-only view of it ({@link RecordBatch#body}), no copy of the
 * bodies, no intermediate buffer to flush and copy again. The same compact JSON Jackson's generator
 * writes (strings escaped by Jackson's {@link JsonStringEncoder}). The certificates' PEM is kept
 * while the log presents the same certificates, so it is encoded once, not once per batch. One
 * instance per shipping thread.
 */
final class BatchJson {
  private static final byte[] BASE64 =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".getBytes(StandardCharsets.US_ASCII);
  private static final JsonStringEncoder QUOTE = JsonStringEncoder.getInstance();
  /** The JSON around the values, in the order written. */
  private static final String LOG_ID = "{\"logId\":\"", HASH = "\",\"hash\":\"", FIRST_SEQ = "\",\"firstSeq\":",
      RECORDS = ",\"records\":[", CHAIN_HEAD = "],\"chainHead\":\"", CHECKPOINTS = "\",\"checkpoints\":[", ARRAY_END = "]", END = "}",
      CERTIFICATES = ",\"certificates\":\"";

  private List<PartyCertificate> pemOf = List.of();
  /** The quoted (escaped, without the quotes) PEM of {@link #pemOf}. */
  private byte[] pem = new byte[0];

  /**
   * Returns the JSON form of the records of {@code b} from seq {@code b.firstSeq()} up to seq {@code
   * end} (exclusive), with the checkpoints up to tree size {@code end} and {@code chainHead}, the
   * chain value after record {@code end - 1}.
   */
  byte[] write(RecordBatch b, long end, byte[] chainHead) {
    int n = Math.toIntExact(end - b.firstSeq());
    byte[] logId = QUOTE.quoteAsUTF8(b.logId());
    byte[] hash = QUOTE.quoteAsUTF8(b.hashAlgorithm().displayName());
    byte[] firstSeq = Long.toString(b.firstSeq()).getBytes(StandardCharsets.US_ASCII);
    List<byte[]> checkpoints = new ArrayList<>();
    for (Checkpoint c : b.checkpoints()) {
      if (c.treeSize() <= end) {
        checkpoints.add(QUOTE.quoteAsUTF8(c.toJsonLine()));
      }
    }
    byte[] certs = b.certificates().isEmpty() ? null : pem(b.certificates());
    // the exact size: every element of an array quoted, and a comma before all but the first
    long size = LOG_ID.length() + logId.length + HASH.length() + hash.length + FIRST_SEQ.length() + firstSeq.length
        + RECORDS.length() + CHAIN_HEAD.length() + base64Length(chainHead.length) + CHECKPOINTS.length() + ARRAY_END.length() + END.length()
        + (certs == null ? 0 : CERTIFICATES.length() + certs.length + 1) + Math.max(0, n - 1)
        + Math.max(0, checkpoints.size() - 1);
    for (int i = 0; i < n; i++) {
      size += base64Length(b.body(i).remaining()) + 2;
    }
    for (byte[] c : checkpoints) {
      size += c.length + 2;
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("a batch of " + size + " JSON bytes"); // the reader cuts a batch at 4 MiB
    }
    Out o = new Out((int) size);
    o.ascii(LOG_ID).raw(logId).ascii(HASH).raw(hash).ascii(FIRST_SEQ).raw(firstSeq).ascii(RECORDS);
    for (int i = 0; i < n; i++) {
      // standard base64 with padding, as the collector decodes it
      o.comma(i).quote().base64(b.body(i)).quote();
    }
    o.ascii(CHAIN_HEAD).base64(ByteBuffer.wrap(chainHead)).ascii(CHECKPOINTS);
    for (int i = 0; i < checkpoints.size(); i++) {
      o.comma(i).quote().raw(checkpoints.get(i)).quote();
    }
    o.ascii(ARRAY_END);
    if (certs != null) {
      o.ascii(CERTIFICATES).raw(certs).quote();
    }
    return o.ascii(END).bytes();
  }

  /** The length of the base64 form (with padding) of {@code n} bytes. */
  static long base64Length(long n) {
    return (n + 2) / 3 * 4;
  }

  /** An output array of a size worked out beforehand, and where the next byte goes. */
  private static final class Out {
    private final byte[] buf;
    private int at;

    Out(int capacity) {
      buf = new byte[capacity];
    }

    Out raw(byte[] b) {
      System.arraycopy(b, 0, buf, at, b.length);
      at += b.length;
      return this;
    }

    /** Writes {@code s}, which is ASCII without anything to escape. */
    Out ascii(String s) {
      for (int i = 0; i < s.length(); i++) {
        buf[at++] = (byte) s.charAt(i);
      }
      return this;
    }

    Out quote() {
      buf[at++] = '"';
      return this;
    }

    /** A comma before every element of an array but the first ({@code index} 0). */
    Out comma(int index) {
      if (index > 0) {
        buf[at++] = ',';
      }
      return this;
    }

    /** Writes the base64 form of {@code src}'s remaining bytes (its position unchanged). */
    Out base64(ByteBuffer src) {
      int p = src.position();
      int whole = p + src.remaining() / 3 * 3;
      byte[] o = buf;
      int w = at;
      for (; p < whole; p += 3) {
        int v = (src.get(p) & 0xff) << 16 | (src.get(p + 1) & 0xff) << 8 | (src.get(p + 2) & 0xff);
        o[w] = BASE64[v >>> 18];
        o[w + 1] = BASE64[(v >>> 12) & 63];
        o[w + 2] = BASE64[(v >>> 6) & 63];
        o[w + 3] = BASE64[v & 63];
        w += 4;
      }
      int rest = src.limit() - p;
      if (rest > 0) {
        int v = (src.get(p) & 0xff) << 16 | (rest == 2 ? (src.get(p + 1) & 0xff) << 8 : 0);
        o[w] = BASE64[v >>> 18];
        o[w + 1] = BASE64[(v >>> 12) & 63];
        o[w + 2] = rest == 2 ? BASE64[(v >>> 6) & 63] : (byte) '=';
        o[w + 3] = '=';
        w += 4;
      }
      at = w;
      return this;
    }

    /** The JSON written, which fills the array of the size worked out beforehand. */
    byte[] bytes() {
      if (at != buf.length) {
        throw new IllegalStateException("batch JSON of " + at + " bytes, " + buf.length + " expected");
      }
      return buf;
    }
  }

  /**
   * The quoted PEM of {@code certs}, encoded again unless they are the very objects of the last
   * batch (the cursor keeps a certificate file's objects while the file is unchanged; equality would
   * not do: a certificate renewed on the same key is equal to the old one).
   */
  private byte[] pem(List<PartyCertificate> certs) {
    boolean same = certs.size() == pemOf.size();
    for (int i = 0; same && i < certs.size(); i++) {
      same = certs.get(i) == pemOf.get(i);
    }
    if (!same) {
      pem = QUOTE.quoteAsUTF8(PartyCertificate.toPem(certs));
      pemOf = List.copyOf(certs);
    }
    return pem;
  }
}
