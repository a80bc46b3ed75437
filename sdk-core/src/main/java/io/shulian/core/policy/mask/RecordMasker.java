package io.shulian.core.policy.mask;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Masks the records of one JSON Lines stream, one after another, as {@link Masker#mask(byte[])}
 * masks each of them: the byte-level path writes into one buffer reused from record to record
 * (no copy of the record, no array per record), and whatever it does not take goes through {@code
 * mask(byte[])}. A record is written whole or not at all. Not thread-safe: one per stream.
 */
public final class RecordMasker {
  private static final byte[] LF = {'\n'};
  private final Masker masker;
  private final ByteMasker bytes;

  RecordMasker(Masker masker) {
    this.masker = masker;
    this.bytes = new ByteMasker(masker, 16 << 10);
  }

  /**
   * Masks one record, {@code line[off, off + len)} (without its line end), and writes the masked
   * record and a line feed to {@code out}. Bytes that are not well-formed UTF-8 are read as U+FFFD
   * (as {@code new String(bytes, UTF_8)} reads them) before masking. If the record cannot be
   * masked, nothing is written.
   *
   * @return the number of bytes written (the line feed included)
   * @throws MaskingException if the record cannot be masked ({@link Masker#mask(byte[])} says why)
   * @throws IOException if writing fails
   */
  public int maskLine(byte[] line, int off, int len, OutputStream out) throws MaskingException, IOException {
    java.util.Objects.checkFromIndexSize(off, len, line.length);
    if (!masker.passesThrough() && bytes.run(line, off, len)) {
      // the byte-level path took it: the record was well-formed UTF-8, as it is
      bytes.append((byte) '\n');
      out.write(bytes.output(), 0, bytes.length());
      return bytes.length();
    }
    // well-formed UTF-8 decodes and encodes to itself; malformed bytes become U+FFFD
    byte[] masked = masker.mask(new String(line, off, len, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
    out.write(masked);
    out.write(LF);
    return masked.length + 1;
  }
}
