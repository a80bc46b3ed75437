package io.shulian.core.internal.jose;

/**
 * Base64url without padding (RFC 7515 section 2), strict on input: only the 64 URL-safe
 * characters, no padding, no whitespace, and the unused low bits of the last character must be
 * zero. Strictness makes the encoding canonical, so that no two different texts decode to the same
 * bytes: every bit flip of an envelope is detected, including in the tag and signature parts.
 */
public final class Base64Url {
  private static final byte[] ENC =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final int[] DEC = new int[256];

  static {
    java.util.Arrays.fill(DEC, -1);
    for (int i = 0; i < ENC.length; i++) {
      DEC[ENC[i]] = i;
    }
  }

  private Base64Url() {}

  /** Returns the number of characters encoding {@code n} bytes. */
  public static int encodedLength(int n) {
    return (n / 3) * 4 + ((n % 3) == 0 ? 0 : (n % 3) + 1);
  }

  /** Encodes {@code src[off, off+len)} into {@code dst} at {@code dstOff}; returns the end offset. */
  public static int encode(byte[] src, int off, int len, byte[] dst, int dstOff) {
    int end = off + len - len % 3;
    int d = dstOff;
    int s = off;
    while (s < end) {
      int v = (src[s] & 0xff) << 16 | (src[s + 1] & 0xff) << 8 | (src[s + 2] & 0xff);
      s += 3;
      dst[d] = ENC[v >>> 18];
      dst[d + 1] = ENC[(v >>> 12) & 63];
      dst[d + 2] = ENC[(v >>> 6) & 63];
      dst[d + 3] = ENC[v & 63];
      d += 4;
    }
    int rest = off + len - s;
    if (rest == 1) {
      int v = (src[s] & 0xff);
      dst[d++] = ENC[v >>> 2];
      dst[d++] = ENC[(v << 4) & 63];
    } else if (rest == 2) {
      int v = (src[s] & 0xff) << 8 | (src[s + 1] & 0xff);
      dst[d++] = ENC[v >>> 10];
      dst[d++] = ENC[(v >>> 4) & 63];
      dst[d++] = ENC[(v << 2) & 63];
    }
    return d;
  }

  public static byte[] encode(byte[] src) {
    byte[] out = new byte[encodedLength(src.length)];
    encode(src, 0, src.length, out, 0);
    return out;
  }

  public static String encodeToString(byte[] src) {
    return new String(encode(src), java.nio.charset.StandardCharsets.US_ASCII);
  }

  /**
   * Returns the decoded length of {@code len} characters.
   *
   * @throws IllegalArgumentException if no canonical encoding has that length
   */
  public static int decodedLength(int len) {
    if (len % 4 == 1) {
      throw new IllegalArgumentException("base64url text has an impossible length");
    }
    return (len / 4) * 3 + (len % 4 == 0 ? 0 : len % 4 - 1);
  }

  /**
   * Decodes {@code src[off, off+len)} into {@code dst} at {@code dstOff}; returns the end offset.
   *
   * @throws IllegalArgumentException on any character outside the alphabet, an impossible length,
   *     or non-zero unused bits in the last character
   */
  public static int decode(byte[] src, int off, int len, byte[] dst, int dstOff) {
    decodedLength(len);
    int end = off + len - len % 4;
    int d = dstOff;
    int s = off;
    while (s < end) {
      int a = DEC[src[s] & 0xff];
      int b = DEC[src[s + 1] & 0xff];
      int c = DEC[src[s + 2] & 0xff];
      int e = DEC[src[s + 3] & 0xff];
      if ((a | b | c | e) < 0) {
        throw new IllegalArgumentException("base64url text has a character outside the alphabet");
      }
      int v = a << 18 | b << 12 | c << 6 | e;
      dst[d] = (byte) (v >>> 16);
      dst[d + 1] = (byte) (v >>> 8);
      dst[d + 2] = (byte) v;
      d += 3;
      s += 4;
    }
    int rest = off + len - s;
    if (rest == 2) {
      int a = DEC[src[s] & 0xff];
      int b = DEC[src[s + 1] & 0xff];
      if ((a | b) < 0 || (b & 15) != 0) {
        throw new IllegalArgumentException("base64url text is not canonical");
      }
      dst[d++] = (byte) (a << 2 | b >>> 4);
    } else if (rest == 3) {
      int a = DEC[src[s] & 0xff];
      int b = DEC[src[s + 1] & 0xff];
      int c = DEC[src[s + 2] & 0xff];
      if ((a | b | c) < 0 || (c & 3) != 0) {
        throw new IllegalArgumentException("base64url text is not canonical");
      }
      int v = a << 10 | b << 4 | c >>> 2;
      dst[d++] = (byte) (v >>> 8);
      dst[d++] = (byte) v;
    }
    return d;
  }

  public static byte[] decode(byte[] src, int off, int len) {
    byte[] out = new byte[decodedLength(len)];
    decode(src, off, len, out, 0);
    return out;
  }

  public static byte[] decode(String s) {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    return decode(b, 0, b.length);
  }
}
