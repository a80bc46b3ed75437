package io.shulian.gateway.seal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.catalog.DatasetFormat;
import io.shulian.core.policy.mask.MaskingException;
import io.shulian.core.policy.mask.RecordMasker;
import io.shulian.gateway.authorize.UnmaskableResponseException;
import io.shulian.gateway.authorize.Verdict;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Cuts a data set's bytes into records as they arrive and writes each record on, masked when the
 * policy's obligations require it: memory is one record ({@link #MAX_RECORD_BYTES} at most), never
 * the data set. Without obligations the bytes pass unchanged (the released payload is identical to
 * the backend's). With obligations:
 *
 * <ul>
 *   <li>JSON Lines: each non-blank line is one JSON document, masked like an ordinary JSON
 *       response, and written followed by LF; blank lines are dropped;
 *   <li>CSV (RFC 4180): the header row names the fields; each row becomes a JSON object of those
 *       names and its values (text), is masked, and is written back in header order (CRLF). The
 *       columns are those the first masked row keeps (a dropped field drops its column); a later
 *       row that keeps other fields, a row with another number of fields, or a masked value that
 *       is not text fails.
 * </ul>
 *
 * Any failure is a {@link DatasetException} and nothing of the failing record is written; the
 * caller then abandons the stream. Not thread-safe.
 */
final class DatasetRecords {
  /** The longest record (line or CSV row) accepted, in bytes. */
  static final int MAX_RECORD_BYTES = 1 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Eight bytes of an array at a time, for the line-end search (SWAR). */
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final byte[] LF = {'\n'};
  private static final byte[] CRLF = {'\r', '\n'};

  /** Why a data set cannot be released further; {@code code} is a stable reason code. */
  static final class DatasetException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String code;

    DatasetException(String code, String message) {
      super(message, null, false, false);
      this.code = code;
    }

    String code() {
      return code;
    }
  }

  private final DatasetFormat format;
  private final @Nullable UnaryOperator<byte[]> mask;
  /** JSON Lines masked by the verdict's masker: each record masked in place (no copy); else null. */
  private final @Nullable RecordMasker lines;
  private final OutputStream out;
  private byte[] rec = new byte[8192];
  private int fill;
  private boolean inQuotes;
  private boolean lineHasContent;
  private long records;
  private long released;
  private @Nullable List<String> header;
  private @Nullable List<String> columns;

  /**
   * @param mask the obligations' response filter, or null when there are none (bytes pass unchanged)
   * @param out where released bytes go (the sealing stream)
   */
  DatasetRecords(DatasetFormat format, @Nullable UnaryOperator<byte[]> mask, OutputStream out) {
    this(format, mask, null, out);
  }

  private DatasetRecords(DatasetFormat format, @Nullable UnaryOperator<byte[]> mask, @Nullable RecordMasker lines,
      OutputStream out) {
    this.format = format;
    this.mask = mask;
    this.lines = lines;
    this.out = out;
  }

  /**
   * The records of a data set released under {@code verdict}: unchanged without obligations, else
   * masked by its response filter (JSON Lines by its masker's {@link RecordMasker} where it has one).
   */
  static DatasetRecords forVerdict(DatasetFormat format, Verdict verdict, OutputStream out) {
    if (!verdict.hasObligations()) {
      return new DatasetRecords(format, null, null, out);
    }
    return new DatasetRecords(format, verdict.responseFilter(),
        format == DatasetFormat.JSONL ? verdict.recordMasker() : null, out);
  }

  /** Records seen so far (CSV: rows after the header). */
  long records() {
    return records;
  }

  /** Bytes released (written to the output) so far. */
  long releasedBytes() {
    return released;
  }

  void feed(byte[] b, int off, int len) throws DatasetException, IOException {
    if (mask == null) {
      passThrough(b, off, len);
      return;
    }
    int end = off + len;
    int start = off;
    for (int i = off; (i = next(b, i, end)) >= 0; i++) {
      if (b[i] == '"') {
        inQuotes = !inQuotes; // an escaped quote ("") toggles twice
      } else if (!inQuotes) {
        if (fill == 0) {
          // the whole record is in this piece: masked where it lies, not copied first
          int n = i + 1 - start;
          if (n > MAX_RECORD_BYTES) {
            throw tooLarge();
          }
          record(b, start, n, true);
        } else {
          append(b, start, i + 1 - start);
          int n = fill;
          fill = 0;
          record(rec, 0, n, true);
        }
        start = i + 1;
      }
    }
    append(b, start, end - start);
  }

  /**
   * Without obligations: the bytes go on unchanged, records are only counted (no record is held).
   * A line counts once it has a byte other than blanks; after that only line ends (and, CSV,
   * quotes) matter, so the rest of the line is skipped eight bytes at a time.
   */
  private void passThrough(byte[] b, int off, int len) throws IOException {
    int end = off + len;
    for (int i = off; i < end; i++) {
      if (!lineHasContent) {
        // (inside quotes the line already has content: a quote sets it)
        byte c = b[i];
        if (c == '\n') {
          lineEnded();
        } else if (c != ' ' && c != '\t' && c != '\r') {
          lineHasContent = true;
          if (format == DatasetFormat.CSV && c == '"') {
            inQuotes = !inQuotes;
          }
        }
        continue;
      }
      i = next(b, i, end);
      if (i < 0) {
        break;
      }
      if (b[i] == '"') {
        inQuotes = !inQuotes;
      } else if (!inQuotes) {
        lineEnded();
      }
    }
    out.write(b, off, len);
    released += len;
  }

  /** The first line end (CSV: or quote) in {@code b[from, end)}, or -1. */
  private int next(byte[] b, int from, int end) {
    return format == DatasetFormat.CSV ? indexOf(b, from, end, (byte) '\n', (byte) '"')
        : indexOf(b, from, end, (byte) '\n', (byte) '\n');
  }

  /**
   * The index of the first byte in {@code b[from, end)} equal to {@code x} or {@code y}, or -1:
   * eight bytes at a time (a word has a byte equal to x where {@code w ^ x*ONES} has a zero byte;
   * the lowest flagged byte of that test is always a true match).
   */
  static int indexOf(byte[] b, int from, int end, byte x, byte y) {
    long px = (x & 0xffL) * ONES;
    long py = (y & 0xffL) * ONES;
    int i = from;
    for (; i + Long.BYTES <= end; i += Long.BYTES) {
      long w = (long) LONGS.get(b, i);
      long vx = w ^ px;
      long vy = w ^ py;
      long t = ((vx - ONES) & ~vx | (vy - ONES) & ~vy) & HIGHS;
      if (t != 0) {
        return i + (Long.numberOfTrailingZeros(t) >>> 3);
      }
    }
    for (; i < end; i++) {
      if (b[i] == x || b[i] == y) {
        return i;
      }
    }
    return -1;
  }

  private void lineEnded() {
    if (lineHasContent) {
      if (format == DatasetFormat.CSV && header == null) {
        header = List.of(); // the header row: seen, not a record
      } else {
        records++;
      }
    }
    lineHasContent = false;
  }

  /** The end of the data set: a last record without a line end is a record too. */
  void end() throws DatasetException, IOException {
    if (format == DatasetFormat.CSV && inQuotes) {
      throw new DatasetException("MALFORMED_RECORD", "the data set ends inside a quoted CSV field");
    }
    if (mask == null) {
      lineEnded();
      return;
    }
    if (fill > 0) {
      int n = fill;
      fill = 0;
      record(rec, 0, n, false);
    }
    if (mask != null && format == DatasetFormat.CSV && columns == null && header != null) {
      // no data row: the header row as the backend wrote it (field names, no record data)
      write(csvRow(header), CRLF);
    }
  }

  private void append(byte[] b, int off, int len) throws DatasetException {
    if (len == 0) {
      return;
    }
    if (fill + len > MAX_RECORD_BYTES) {
      throw tooLarge();
    }
    if (fill + len > rec.length) {
      rec = Arrays.copyOf(rec, Math.min(MAX_RECORD_BYTES, Math.max(rec.length * 2, fill + len)));
    }
    System.arraycopy(b, off, rec, fill, len);
    fill += len;
  }

  private static DatasetException tooLarge() {
    return new DatasetException("RECORD_TOO_LARGE", "a record is longer than " + MAX_RECORD_BYTES + " bytes");
  }

  /** One record is in {@code b[from, from + n)}, with its line end if {@code terminated}. */
  private void record(byte[] b, int from, int n, boolean terminated) throws DatasetException, IOException {
    java.util.Objects.requireNonNull(mask);
    boolean headerRow = format == DatasetFormat.CSV && header == null;
    int content = n;
    if (terminated) {
      content--;
      if (content > 0 && b[from + content - 1] == '\r') {
        content--;
      }
    }
    boolean blank = isBlank(b, from, content);
    if (!headerRow && !blank) {
      records++;
    }
    if (blank) {
      return;
    }
    if (format == DatasetFormat.JSONL) {
      if (lines != null) {
        released += maskLine(lines, b, from, content);
        return;
      }
      // malformed UTF-8 becomes U+FFFD (well-formed UTF-8 decodes and encodes to itself)
      write(apply(new String(b, from, content, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8)), LF);
      return;
    }
    String text = new String(b, from, content, StandardCharsets.UTF_8);
    List<String> fields = csvFields(text);
    if (headerRow) {
      if (new LinkedHashSet<>(fields).size() != fields.size()) {
        throw new DatasetException("MALFORMED_RECORD", "the CSV header row names a field twice");
      }
      header = List.copyOf(fields);
      return;
    }
    List<String> names = java.util.Objects.requireNonNull(header);
    if (fields.size() != names.size()) {
      throw new DatasetException("MALFORMED_RECORD", "CSV row " + records + " has " + fields.size()
          + " fields, the header " + names.size());
    }
    ObjectNode o = JSON.createObjectNode();
    for (int i = 0; i < names.size(); i++) {
      o.put(names.get(i), fields.get(i));
    }
    JsonNode masked;
    try {
      masked = JSON.readTree(apply(JSON.writeValueAsBytes(o)));
    } catch (IOException e) {
      throw new DatasetException("MASKING_FAILED", "the masked CSV row is not a JSON object");
    }
    if (!(masked instanceof ObjectNode)) {
      throw new DatasetException("MASKING_FAILED", "the masked CSV row is not a JSON object");
    }
    Set<String> kept = new LinkedHashSet<>();
    for (Iterator<String> it = masked.fieldNames(); it.hasNext(); ) {
      kept.add(it.next());
    }
    if (columns == null) {
      List<String> cs = new ArrayList<>();
      for (String name : names) {
        if (kept.contains(name)) {
          cs.add(name);
        }
      }
      if (cs.size() != kept.size()) {
        throw new DatasetException("MASKING_FAILED", "masking added a field to a CSV row");
      }
      columns = List.copyOf(cs);
      write(csvRow(columns), CRLF);
    } else if (!kept.equals(new LinkedHashSet<>(columns))) {
      throw new DatasetException("MASKING_FAILED", "masking kept other fields of CSV row " + records + " than of the first");
    }
    List<String> values = new ArrayList<>();
    for (String c : columns) {
      JsonNode v = masked.get(c);
      if (v == null || v.isNull()) {
        values.add("");
      } else if (v.isValueNode()) {
        values.add(v.asText());
      } else {
        throw new DatasetException("MASKING_FAILED", "a masked CSV value is not text");
      }
    }
    write(csvRow(values), CRLF);
  }

  private byte[] apply(byte[] json) throws DatasetException {
    try {
      return java.util.Objects.requireNonNull(mask).apply(json);
    } catch (UnmaskableResponseException e) {
      throw new DatasetException(e.code(), "record " + records + " cannot be masked as the policy requires");
    } catch (RuntimeException e) {
      throw new DatasetException("MASKING_FAILED", "record " + records + " cannot be masked as the policy requires");
    }
  }

  /** Masks and writes the record in {@code b[from, from + content)}; the bytes written. */
  private int maskLine(RecordMasker m, byte[] b, int from, int content) throws DatasetException, IOException {
    try {
      return m.maskLine(b, from, content, out);
    } catch (MaskingException e) {
      throw new DatasetException(e.code(), "record " + records + " cannot be masked as the policy requires");
    } catch (RuntimeException e) {
      throw new DatasetException("MASKING_FAILED", "record " + records + " cannot be masked as the policy requires");
    }
  }

  private void write(byte[] b, byte[] end) throws IOException {
    out.write(b, 0, b.length);
    out.write(end, 0, end.length);
    released += b.length + end.length;
  }

  private static boolean isBlank(byte[] b, int from, int n) {
    for (int i = from; i < from + n; i++) {
      if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
        return false;
      }
    }
    return true;
  }

  /** The fields of one CSV row (RFC 4180: quoted fields, "" inside quotes, no line end). */
  static List<String> csvFields(String row) throws DatasetException {
    List<String> out = new ArrayList<>();
    StringBuilder f = new StringBuilder();
    int i = 0;
    while (true) {
      f.setLength(0);
      if (i < row.length() && row.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= row.length()) {
            throw new DatasetException("MALFORMED_RECORD", "a quoted CSV field is not closed");
          }
          char c = row.charAt(i++);
          if (c == '"') {
            if (i < row.length() && row.charAt(i) == '"') {
              f.append('"');
              i++;
            } else {
              break;
            }
          } else {
            f.append(c);
          }
        }
        if (i < row.length() && row.charAt(i) != ',') {
          throw new DatasetException("MALFORMED_RECORD", "text after a quoted CSV field");
        }
      } else {
        while (i < row.length() && row.charAt(i) != ',') {
          char c = row.charAt(i++);
          if (c == '"') {
            throw new DatasetException("MALFORMED_RECORD", "a quote inside an unquoted CSV field");
          }
          f.append(c);
        }
      }
      out.add(f.toString());
      if (i >= row.length()) {
        return out;
      }
      i++; // the comma
    }
  }

  static byte[] csvRow(List<String> values) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      String v = values.get(i);
      if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
        b.append('"').append(v.replace("\"", "\"\"")).append('"');
      } else {
        b.append(v);
      }
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }
}
