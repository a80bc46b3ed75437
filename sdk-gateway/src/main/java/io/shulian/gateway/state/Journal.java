package io.shulian.gateway.state;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The journal format: text segments {@code journal-<16 digits>.log}, one fact per line, each line
 * ending in the CRC-32C of the rest of the line (8 hex digits):
 *
 * <pre>
 * shulian-state 1                                            first line of every segment
 * R 5f0c1d2e-...-uuid 1767225600000 1a2b3c4d                 envelope id, kept until (ms since 1970)
 * G 3 1769904000000 440600/.../housing#grant-7 5e6f7a8b      grant key, uses so far, kept until
 * C 2 9c8d7e6f                                               commit: the 2 lines before it are one group
 * </pre>
 *
 * Every group the writer forces to disk ends with a commit line that counts its entries; a group
 * counts only once its commit line is read. Facts are idempotent (a set of ids; the highest count
 * per grant), so segments can be read in any number and order of restarts.
 */
final class Journal {
  static final String HEADER = "shulian-state 1";
  static final Pattern SEGMENT = Pattern.compile("journal-(\\d{16})\\.log");
  /** Longest line written (a grant key is at most 128 + 100 characters). */
  static final int MAX_LINE = 400;
  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern NUMBER = Pattern.compile("0|[1-9][0-9]{0,18}");
  private static final Pattern COUNT = Pattern.compile("[1-9][0-9]{0,12}");
  private static final Pattern CRC = Pattern.compile("[0-9a-f]{8}");

  private Journal() {}

  static String segmentName(long index) {
    return String.format("journal-%016d.log", index);
  }

  static byte[] header() {
    return (HEADER + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] replayLine(UUID id, long forgetAfterMillis) {
    return line("R " + id + " " + forgetAfterMillis);
  }

  static byte[] grantLine(String key, long count, long forgetAfterMillis) {
    return line("G " + count + " " + forgetAfterMillis + " " + key);
  }

  static byte[] commitLine(int entries) {
    return line("C " + entries);
  }

  /** True for a grant key the journal can hold: printable ASCII without spaces, at most 300 characters. */
  static boolean validKey(String key) {
    return !key.isEmpty() && key.length() <= 300 && key.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }

  private static byte[] line(String content) {
    byte[] c = content.getBytes(StandardCharsets.US_ASCII);
    byte[] out = java.util.Arrays.copyOf(c, c.length + 10);
    out[c.length] = ' ';
    hex8(crc(c), out, c.length + 1);
    out[out.length - 1] = '\n';
    return out;
  }

  private static long crc(byte[] c) {
    CRC32C crc = new CRC32C();
    crc.update(c, 0, c.length);
    return crc.getValue();
  }

  private static void hex8(long v, byte[] out, int at) {
    for (int i = 7; i >= 0; i--) {
      out[at + i] = (byte) Character.forDigit((int) (v & 0xf), 16);
      v >>>= 4;
    }
  }

  /** Receives the committed facts of a segment, in order. */
  interface Sink {
    void replay(UUID id, long forgetAfterMillis) throws StateException;

    void grant(String key, long count, long forgetAfterMillis) throws StateException;
  }

  /** What reading one segment found. */
  static final class Scanned {
    /** Bytes up to the end of the last commit line. */
    long committedEnd;
    /** Bytes after it: a torn group of the last segment (a crash before its fsync completed). */
    long tornBytes;
    /** The latest kept-until of its replay ids (ms since 1970), or Long.MIN_VALUE if it has none. */
    long maxReplayForget = Long.MIN_VALUE;
    long replays;
    long grants;
  }

  private static final class Entry {
    final char kind;
    final @Nullable UUID id;
    final @Nullable String key;
    final long count;
    final long forget;

    Entry(char kind, @Nullable UUID id, @Nullable String key, long count, long forget) {
      this.kind = kind;
      this.id = id;
      this.key = key;
      this.count = count;
      this.forget = forget;
    }
  }

  /**
   * Reads a segment and hands its committed facts to {@code sink}. In the last segment, whatever
   * follows the last commit line (a group whose fsync did not complete) is reported as torn; in any
   * segment, a damaged line before a commit line, a bad header, or (in an earlier segment) anything
   * after its last commit line is corruption.
   *
   * @throws StateException CORRUPT naming the file, the byte offset and what is wrong
   */
  static Scanned scan(Path file, byte[] b, boolean last, Sink sink) throws StateException {
    Scanned s = new Scanned();
    int headerEnd = HEADER.length() + 1;
    if (b.length < headerEnd || !new String(b, 0, headerEnd, StandardCharsets.US_ASCII).equals(HEADER + "\n")) {
      throw corrupt(file, 0, "the first line is not '" + HEADER + "'");
    }
    List<Entry> group = new ArrayList<>();
    long committedEnd = headerEnd;
    long firstBad = -1;
    String badWhy = null;
    int pos = headerEnd;
    while (pos < b.length) {
      int nl = indexOf(b, (byte) '\n', pos);
      if (nl < 0) {
        if (firstBad < 0) {
          firstBad = pos;
          badWhy = "an incomplete last line";
        }
        break;
      }
      Object parsed = parse(b, pos, nl);
      if (parsed instanceof String) {
        if (firstBad < 0) {
          firstBad = pos;
          badWhy = (String) parsed;
        }
      } else if (parsed instanceof Integer) {
        int n = (Integer) parsed;
        if (firstBad >= 0) {
          throw corrupt(file, firstBad, badWhy + ", followed by committed lines");
        }
        if (n != group.size()) {
          throw corrupt(file, pos, "a commit line counts " + n + " lines but its group has " + group.size());
        }
        for (Entry e : group) {
          if (e.kind == 'R') {
            sink.replay(Objects.requireNonNull(e.id), e.forget);
            s.replays++;
            s.maxReplayForget = Math.max(s.maxReplayForget, e.forget);
          } else {
            sink.grant(Objects.requireNonNull(e.key), e.count, e.forget);
            s.grants++;
          }
        }
        group.clear();
        committedEnd = nl + 1;
      } else if (firstBad < 0) {
        group.add((Entry) parsed);
      }
      pos = nl + 1;
    }
    s.committedEnd = committedEnd;
    s.tornBytes = b.length - committedEnd;
    if (!last && s.tornBytes > 0) {
      throw corrupt(file, firstBad >= 0 ? firstBad : committedEnd,
          (badWhy != null ? badWhy : "lines without a commit line") + " at the end of a segment that is not the last");
    }
    return s;
  }

  /** Returns an Entry, an Integer (a commit line's count) or a String (what is wrong). */
  private static Object parse(byte[] b, int from, int to) {
    if (to - from > MAX_LINE) {
      return "a line longer than " + MAX_LINE + " bytes";
    }
    for (int i = from; i < to; i++) {
      if (b[i] < 0x20 || b[i] > 0x7e) {
        return "a line with a byte that is not printable ASCII";
      }
    }
    String line = new String(b, from, to - from, StandardCharsets.US_ASCII);
    int sp = line.lastIndexOf(' ');
    if (sp < 0 || !CRC.matcher(line.substring(sp + 1)).matches()) {
      return "a line without its checksum";
    }
    String content = line.substring(0, sp);
    byte[] expected = new byte[8];
    hex8(crc(content.getBytes(StandardCharsets.US_ASCII)), expected, 0);
    if (!new String(expected, StandardCharsets.US_ASCII).equals(line.substring(sp + 1))) {
      return "a line whose checksum does not match";
    }
    String[] f = content.split(" ", -1);
    switch (f[0]) {
      case "R":
        if (f.length != 3 || !UUID_TEXT.matcher(f[1]).matches() || !NUMBER.matcher(f[2]).matches()) {
          return "a malformed envelope id line";
        }
        return new Entry('R', UUID.fromString(f[1]), null, 0, Long.parseLong(f[2]));
      case "G":
        if (f.length != 4 || !COUNT.matcher(f[1]).matches() || !NUMBER.matcher(f[2]).matches() || !validKey(f[3])) {
          return "a malformed grant use line";
        }
        return new Entry('G', null, f[3], Long.parseLong(f[1]), Long.parseLong(f[2]));
      case "C":
        if (f.length != 2 || !NUMBER.matcher(f[1]).matches() || f[1].length() > 9) {
          return "a malformed commit line";
        }
        return Integer.valueOf(f[1]);
      default:
        return "a line of unknown kind";
    }
  }

  private static int indexOf(byte[] b, byte x, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == x) {
        return i;
      }
    }
    return -1;
  }

  static StateException corrupt(Path file, long offset, String why) {
    return new StateException(StateException.Reason.CORRUPT, "state journal " + file + " is corrupt at byte " + offset
        + " (" + why + "). The gateway refuses to start rather than forget which envelopes it opened and how often"
        + " grants were used: restore the state directory from a backup. Only if there is none, and knowing that"
        + " envelopes and grants could then be used again, move the directory away to start empty.");
  }

  /** Parses a segment file name; -1 if it is not one. */
  static long segmentIndex(String fileName) {
    Matcher m = SEGMENT.matcher(fileName);
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }
}
