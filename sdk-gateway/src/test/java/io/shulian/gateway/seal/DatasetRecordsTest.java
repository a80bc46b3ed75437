package io.shulian.gateway.seal;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.catalog.DatasetFormat;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The record cutting of data sets (docs/return-flow.md): the word-at-a-time line-end search must
 * give exactly what the byte-by-byte code gave (a reference implementation below), at every
 * alignment and piece size.
 */
class DatasetRecordsTest {
  private static final Random RND = new Random(20261206);

  @Test
  void indexOf_findsTheFirstLineEndOrQuote_atEveryOffsetAndLength() {
    byte[] alphabet = {'a', '\n', '"', ',', (byte) 0x8a, (byte) (0x0a ^ 0x80), 0, (byte) 0xff, '{'};
    for (int round = 0; round < 300; round++) {
      byte[] b = new byte[1 + RND.nextInt(40)];
      int density = 1 + RND.nextInt(alphabet.length);
      for (int i = 0; i < b.length; i++) {
        b[i] = RND.nextInt(8) == 0 ? alphabet[RND.nextInt(density)] : (byte) RND.nextInt(256);
      }
      for (int from = 0; from <= b.length; from++) {
        for (int end = from; end <= b.length; end++) {
          assertThat(DatasetRecords.indexOf(b, from, end, (byte) '\n', (byte) '"'))
              .as("%s [%d, %d)", Arrays.toString(b), from, end).isEqualTo(naiveIndexOf(b, from, end, '\n', '"'));
          assertThat(DatasetRecords.indexOf(b, from, end, (byte) '\n', (byte) '\n'))
              .isEqualTo(naiveIndexOf(b, from, end, '\n', '\n'));
        }
      }
    }
  }

  @Test
  void passThrough_countsRecords_asTheByteLoopDid_inAnyPieces() throws Exception {
    String[] pieces = {"{\"a\":1}\n", "\n", "  \r\n", "\t\n", "{\"b\":\"x\\ny\"}\r\n", "\"q\",\"w\n2\"\r\n",
        "a,\"b\"\"c\",d\n", " x\n", "\"\n\"\n", "{\"c\":\"陈子轩,汾江中路\"}\n"};
    for (DatasetFormat f : DatasetFormat.values()) {
      for (int round = 0; round < 400; round++) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (int i = RND.nextInt(30); i > 0; i--) {
          data.writeBytes(pieces[RND.nextInt(pieces.length)].getBytes(StandardCharsets.UTF_8));
        }
        if (RND.nextBoolean()) {
          data.writeBytes("{\"last\":true}".getBytes(StandardCharsets.UTF_8));
        }
        byte[] b = data.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DatasetRecords rs = new DatasetRecords(f, null, out);
        for (int at = 0; at < b.length; ) {
          int n = Math.min(b.length - at, 1 + RND.nextInt(20));
          rs.feed(b, at, n);
          at += n;
        }
        boolean endsInQuotes = reference(f, b)[1] == 1;
        if (!endsInQuotes) {
          rs.end();
        }
        assertThat(out.toByteArray()).as("bytes pass unchanged").isEqualTo(b);
        assertThat(rs.releasedBytes()).isEqualTo(b.length);
        if (!endsInQuotes) {
          assertThat(rs.records()).as("%s %s", f, new String(b, StandardCharsets.UTF_8)).isEqualTo(reference(f, b)[0]);
        }
      }
    }
  }

  @Test
  void masked_jsonl_wellFormedRecordsGoToTheMaskAsSent_malformedUtf8AsReplacementCharacters() throws Exception {
    java.util.List<byte[]> seen = new java.util.ArrayList<>();
    UnaryOperator<byte[]> mask = json -> {
      seen.add(json);
      return json;
    };
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DatasetRecords rs = new DatasetRecords(DatasetFormat.JSONL, mask, out);
    byte[] good = "{\"name\":\"陈子轩\",\"e\":\"😀\"}".getBytes(StandardCharsets.UTF_8);
    byte[] bad = {'{', '"', 'n', '"', ':', '"', (byte) 0xe4, (byte) 0xb8, '"', '}'};
    byte[] all = ByteBuffer.allocate(good.length + bad.length + 4).put(good).put((byte) '\n').put(bad)
        .put("\r\n\n".getBytes(StandardCharsets.US_ASCII)).array();
    for (int at = 0; at < all.length; at += 3) {
      rs.feed(all, at, Math.min(3, all.length - at));
    }
    rs.end();
    assertThat(rs.records()).isEqualTo(2);
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0)).isEqualTo(good);
    assertThat(new String(seen.get(1), StandardCharsets.UTF_8)).isEqualTo("{\"n\":\"\uFFFD\"}");
  }

  private static int naiveIndexOf(byte[] b, int from, int end, char x, char y) {
    for (int i = from; i < end; i++) {
      if (b[i] == x || b[i] == y) {
        return i;
      }
    }
    return -1;
  }

  /** The byte-by-byte record count of the pass-through path as it was: {records, ends inside quotes}. */
  private static long[] reference(DatasetFormat f, byte[] b) {
    long records = 0;
    boolean inQuotes = false;
    boolean content = false;
    boolean header = false;
    for (byte c : b) {
      if (f == DatasetFormat.CSV && c == '"') {
        inQuotes = !inQuotes;
        content = true;
      } else if (c == '\n' && !inQuotes) {
        if (content) {
          if (f == DatasetFormat.CSV && !header) {
            header = true;
          } else {
            records++;
          }
        }
        content = false;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        content = true;
      }
    }
    if (content && !(f == DatasetFormat.CSV && inQuotes)) {
      if (!(f == DatasetFormat.CSV && !header)) {
        records++;
      }
    }
    return new long[] {records, f == DatasetFormat.CSV && inQuotes ? 1 : 0};
  }
}
