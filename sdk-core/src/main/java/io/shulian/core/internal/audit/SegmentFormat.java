package io.shulian.core.internal.audit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * Segment file layout, format version 1. A segment is a header followed by frames:
 *
 * <pre>
 * header (76 bytes): magic "SHLAUD\r\n" | u16 formatVersion | u8 hashAlgorithm (1 SHA-256, 2 SM3)
 *   | u8 reserved=0 | u32 segmentIndex | 16 logId | u64 firstSeq | 32 chain value before firstSeq
 *   | u32 CRC-32C of the preceding 72 bytes
 * frame: u32 bodyLength | u32 CRC-32C(body || chain) | body | 32 chain value after this record
 * </pre>
 *
 * The chain value after record i is H(0x02 || chain(i-1) || leafHash(i)), starting from 32 zero
 * bytes; leafHash(i) = H(0x00 || body(i)) as in RFC 9162.
 */
public final class SegmentFormat {
  public static final byte[] MAGIC = "SHLAUD\r\n".getBytes(StandardCharsets.US_ASCII);
  public static final int FORMAT_VERSION = 1;
  public static final int HEADER_BYTES = 76;
  public static final int FRAME_OVERHEAD = 4 + 4 + TreeHasher.SIZE;
  public static final int MAX_BODY_BYTES = 1 << 20;
  /** Bodies are never shorter than version + seq + time + direction + 6 empty strings... */
  public static final int MIN_BODY_BYTES = 1 + 8 + 12 + 1;
  public static final int LOG_ID_BYTES = 16;
  public static final String CHECKPOINTS_FILE = "checkpoints.jsonl";
  public static final String LOCK_FILE = "writer.lock";
  public static final String CERTS_DIR = "certs";
  private static final Pattern SEGMENT_NAME = Pattern.compile("segment-(\\d{8})\\.log");

  /** Why a frame cannot be read: it runs past the end of the data, or its length is impossible. */
  public static final int TRUNCATED = -1;
  public static final int BAD_LENGTH = -2;

  private SegmentFormat() {}

  public static String segmentName(long index) {
    return String.format("segment-%08d.log", index);
  }

  /** Returns the index of a segment file name, or -1 if it is not one. */
  public static long segmentIndex(String fileName) {
    var m = SEGMENT_NAME.matcher(fileName);
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  /** A decoded segment header. */
  public static final class Header {
    public final int formatVersion;
    public final int hashAlgorithm;
    public final long index;
    public final byte[] logId;
    public final long firstSeq;
    public final byte[] prevChain;

    public Header(int formatVersion, int hashAlgorithm, long index, byte[] logId, long firstSeq, byte[] prevChain) {
      this.formatVersion = formatVersion;
      this.hashAlgorithm = hashAlgorithm;
      this.index = index;
      this.logId = logId.clone();
      this.firstSeq = firstSeq;
      this.prevChain = prevChain.clone();
    }

    public String logIdHex() {
      return HexFormat.of().formatHex(logId);
    }

    public byte[] encode() {
      byte[] b = new byte[HEADER_BYTES];
      System.arraycopy(MAGIC, 0, b, 0, 8);
      b[8] = (byte) (formatVersion >>> 8);
      b[9] = (byte) formatVersion;
      b[10] = (byte) hashAlgorithm;
      b[11] = 0;
      RecordCodec.putInt(b, 12, (int) index);
      System.arraycopy(logId, 0, b, 16, LOG_ID_BYTES);
      RecordCodec.putLong(b, 32, firstSeq);
      System.arraycopy(prevChain, 0, b, 40, TreeHasher.SIZE);
      RecordCodec.putInt(b, 72, crc(b, 0, 72));
      return b;
    }
  }

  /** Why a header could not be read. */
  public static final class BadHeaderException extends Exception {
    private static final long serialVersionUID = 1L;
    public final boolean notALog;
    public final boolean newerVersion;

    BadHeaderException(String message, boolean notALog, boolean newerVersion) {
      super(message);
      this.notALog = notALog;
      this.newerVersion = newerVersion;
    }
  }

  public static Header decodeHeader(byte[] b, int len) throws BadHeaderException {
    if (len < 8 || !Arrays.equals(b, 0, 8, MAGIC, 0, 8)) {
      throw new BadHeaderException("not a Shulian audit segment (bad magic)", true, false);
    }
    if (len < HEADER_BYTES) {
      throw new BadHeaderException("segment header is truncated (" + len + " of " + HEADER_BYTES + " bytes)", false, false);
    }
    int version = ((b[8] & 0xff) << 8) | (b[9] & 0xff);
    if (version != FORMAT_VERSION) {
      throw new BadHeaderException("segment format version " + version
          + (version > FORMAT_VERSION ? " is newer than this version of Shulian reads (" + FORMAT_VERSION + ")" : " is unknown"),
          false, version > FORMAT_VERSION);
    }
    if (RecordCodec.getInt(b, 72) != crc(b, 0, 72)) {
      throw new BadHeaderException("segment header checksum does not match", false, false);
    }
    int alg = b[10] & 0xff;
    if (alg != 1 && alg != 2) {
      throw new BadHeaderException("unknown hash algorithm id " + alg, false, false);
    }
    return new Header(version, alg, RecordCodec.getInt(b, 12) & 0xffffffffL, Arrays.copyOfRange(b, 16, 32),
        RecordCodec.getLong(b, 32), Arrays.copyOfRange(b, 40, 72));
  }

  public static int crc(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return (int) c.getValue();
  }
}
