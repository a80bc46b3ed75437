package io.shulian.gateway.seal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.catalog.DatasetFormat;
import io.shulian.core.policy.mask.MaskFunction;
import io.shulian.core.policy.mask.MaskSpec;
import io.shulian.core.policy.mask.Masker;
import io.shulian.core.policy.mask.MaskingException;
import io.shulian.gateway.authorize.UnmaskableResponseException;
import io.shulian.gateway.authorize.Verdict;
import java.io.OutputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Masked JSON Lines records of shapes the catalog did not predict, through {@link DatasetRecords}
 * with a real {@link Masker} wrapped as the gateway wraps it ({@code CatalogPolicy}): each input
 * line, fed in random pieces (a record split across network reads), gives exactly the expected
 * output line; a record that cannot be masked fails the data set there, and nothing of it is
 * written. Written against the Jackson-per-record path before the masker's byte-level fast path
 * replaced it for well-formed records (both must give the same bytes). Every case runs twice: with
 * the response filter ({@code Masker.mask(byte[])} per record) and as the gateways run data sets,
 * {@link DatasetRecords#forVerdict} with the masker's {@code RecordMasker} (one reused buffer).
 */
class DatasetRecordsMaskingShapesTest {
  private static final Random RND = new Random(20261207);

  private static Masker masker(boolean dropUnlisted) {
    return Masker.builder()
        .field("name", MaskSpec.of(MaskFunction.NAME))
        .field("idNumber", MaskSpec.of(MaskFunction.ID_NUMBER))
        .field("phone", MaskSpec.of(MaskFunction.PHONE))
        .field("address", MaskSpec.of(MaskFunction.ADDRESS))
        .field("owner.idNumber", MaskSpec.of(MaskFunction.ID_NUMBER))
        .field("members[].phone", MaskSpec.of(MaskFunction.PHONE))
        .field("secret", MaskSpec.of(MaskFunction.DROP))
        .listField("seq")
        .listField("enrolled")
        .listField("monthlyPension")
        .dropUnlisted(dropUnlisted)
        .build();
  }

  /** The gateway's response filter around a masker (as CatalogPolicy builds it). */
  private static UnaryOperator<byte[]> filter(Masker m) {
    return body -> {
      try {
        return m.mask(body);
      } catch (MaskingException e) {
        throw new UnmaskableResponseException(e.code(), "response cannot be masked: " + e.getMessage());
      }
    };
  }

  /** The records of a masked JSON Lines data set: per record through the filter, or as the gateways run them. */
  private static DatasetRecords records(Masker m, boolean asGateways, OutputStream out) {
    return asGateways
        ? DatasetRecords.forVerdict(DatasetFormat.JSONL, Verdict.permitMasked(List.of(), List.of("mask"), "v1", m), out)
        : new DatasetRecords(DatasetFormat.JSONL, filter(m), out);
  }

  /** {input line (without its line end), expected output line (without LF)}, for the open masker. */
  private static final String[][] OPEN = {
      {"{\"seq\":1,\"name\":\"陈子轩\",\"idNumber\":\"440604199001011234\",\"phone\":\"13812345678\","
          + "\"address\":\"广东省佛山市禅城区人民路1号\",\"enrolled\":true,\"monthlyPension\":2512.5}",
          "{\"seq\":1,\"name\":\"陈**\",\"idNumber\":\"440604********1234\",\"phone\":\"138****5678\","
          + "\"address\":\"广东省佛山市禅城区****\",\"enrolled\":true,\"monthlyPension\":2512.5}"},
      // whitespace between tokens, a byte order mark at the start of a record
      {"\uFEFF  { \"seq\" : 2 ,\t\"name\" : \"李四\" }  ", "{\"seq\":2,\"name\":\"李*\"}"},
      // nested objects and arrays on listed paths, a dropped member, null elements
      {"{\"owner\":{\"idNumber\":\"440604199001011234\"},\"members\":[{\"phone\":\"13812345678\"},null,{}],"
          + "\"secret\":{\"x\":[1,2]},\"seq\":3}",
          "{\"owner\":{\"idNumber\":\"440604********1234\"},\"members\":[{\"phone\":\"138****5678\"},null,{}],\"seq\":3}"},
      // an escaped member name is the member it decodes to; escapes in values are re-encoded
      {"{\"id\\u004eumber\":\"440604199001011234\",\"note\":\"a\\/b\\u0041\\n\\t\\\"\\\\\\u00e9\\u001f\"}",
          "{\"idNumber\":\"440604********1234\",\"note\":\"a/bA\\n\\t\\\"\\\\é\\u001F\"}"},
      // characters outside the BMP (surrogate pairs), also inside a masked name
      {"{\"name\":\"𠮷野家\",\"note\":\"😀 ok\"}", "{\"name\":\"\\uD842\\uDFB7**\",\"note\":\"\\uD83D\\uDE00 ok\"}"},
      // numbers keep their text, masked numbers and booleans become strings
      {"{\"seq\":123456789012345678901234567890,\"monthlyPension\":-1.5E-300,\"x\":1e400,\"phone\":13812345678,"
          + "\"idNumber\":true,\"enrolled\":null}",
          "{\"seq\":123456789012345678901234567890,\"monthlyPension\":-1.5E-300,\"x\":1e400,\"phone\":\"138****5678\","
          + "\"idNumber\":\"t**e\",\"enrolled\":null}"},
      // unlisted nested values are copied; a top-level array of records and a null record
      {"[{\"name\":\"王\",\"extra\":{\"a\":[true,false,null,{\"b\":\"c\"}]}},null]",
          "[{\"name\":\"*\",\"extra\":{\"a\":[true,false,null,{\"b\":\"c\"}]}},null]"},
      {"null", "null"},
      {"{}", "{}"},
  };

  /** For the projecting masker (dropUnlisted): unlisted members vanish at any depth. */
  private static final String[][] PROJECTED = {
      {"{\"seq\":1,\"note\":\"x\",\"name\":\"陈子轩\",\"extra\":{\"idNumber\":\"1\"},\"tags\":[1,[2]]}",
          "{\"seq\":1,\"name\":\"陈**\"}"},
      {"{\"owner\":{\"idNumber\":\"440604199001011234\",\"other\":1},\"members\":[{\"phone\":\"13812345678\",\"n\":2}]}",
          "{\"owner\":{\"idNumber\":\"440604********1234\"},\"members\":[{\"phone\":\"138****5678\"}]}"},
  };

  @Test
  void masked_jsonl_unpredictedShapes_maskedLineByLine_inAnyPieces_withCrLfAndBlankLines() throws Exception {
    for (int round = 0; round < 80; round++) {
      for (String[][] cases : new String[][][] {OPEN, PROJECTED}) {
        StringBuilder in = new StringBuilder();
        StringBuilder want = new StringBuilder();
        int n = 1 + RND.nextInt(12);
        for (int i = 0; i < n; i++) {
          String[] c = cases[RND.nextInt(cases.length)];
          if (RND.nextInt(4) == 0) {
            in.append(RND.nextBoolean() ? "\n" : " \t\r\n"); // blank lines are dropped
          }
          in.append(c[0]).append(RND.nextBoolean() ? "\r\n" : "\n");
          want.append(c[1]).append('\n');
        }
        if (RND.nextBoolean()) { // the last record without a line end
          in.setLength(in.length() - (in.charAt(in.length() - 2) == '\r' ? 2 : 1));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DatasetRecords rs = records(masker(cases == PROJECTED), round % 2 == 1, out);
        feedInPieces(rs, in.toString().getBytes(StandardCharsets.UTF_8));
        rs.end();
        assertThat(out.toString(StandardCharsets.UTF_8)).as(in.toString()).isEqualTo(want.toString());
        assertThat(rs.records()).isEqualTo(n);
        assertThat(rs.releasedBytes()).isEqualTo(out.size());
      }
    }
  }

  @Test
  void masked_jsonl_malformedUtf8InAMaskedName_becomesReplacementCharactersThenMasked() throws Exception {
    for (boolean asGateways : new boolean[] {false, true}) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      DatasetRecords rs = records(masker(false), asGateways, out);
      byte[] in = {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xe9, (byte) 0x99, (byte) 0xe4, (byte) 0xb8,
          (byte) 0xff, 'x', '"', ',', '"', 'o', '"', ':', '"', (byte) 0xc0, (byte) 0xaf, '"', '}', '\n'};
      feedInPieces(rs, in);
      rs.end();
      assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"name\":\"\uFFFD***\",\"o\":\"\uFFFD\uFFFD\"}\n");
      assertThat(rs.releasedBytes()).isEqualTo(out.size());
    }
  }

  /** Each of these refuses its record: the records before it are released whole, nothing of it is. */
  private static final String[][] REFUSED = {
      {"{\"name\":\"a\",\"name\":\"b\"}", "DUPLICATE_FIELD"},
      {"{\"idNumber\":\"1\",\"id\\u004eumber\":\"2\"}", "DUPLICATE_FIELD"},
      {"{\"data\":{\"idNumber\":\"440604199001011234\"}}", "ALIASED_FIELD"},
      {"{\"ID_NUMBER\":\"440604199001011234\"}", "ALIASED_FIELD"},
      {"{\"owner\":[{\"idNumber\":\"440604199001011234\"}]}", "SHAPE_MISMATCH"},
      {"{\"name\":{\"first\":\"陈\"}}", "SHAPE_MISMATCH"},
      {"{\"members\":[[{\"phone\":\"13812345678\"}]]}", "SHAPE_MISMATCH"},
      {"\"440604199001011234\"", "SHAPE_MISMATCH"},
      {"{\"seq\":1} {\"seq\":2}", "INVALID_JSON"},
      {"{\"seq\":1,}", "INVALID_JSON"},
      {"{\"seq\":01}", "INVALID_JSON"},
      {"{\"name\":\"陈\u0001\"}", "INVALID_JSON"},
      {"{\"name\":'陈'}", "INVALID_JSON"},
      {"{\"seq\":1", "INVALID_JSON"},
      {"{\"seq\":NaN}", "INVALID_JSON"},
      {"{\"seq\":" + "9".repeat(1001) + "}", "JSON_TOO_LARGE"},
      {"{\"x\":" + "[".repeat(70) + "]".repeat(70) + "}", "JSON_TOO_DEEP"},
  };

  @Test
  void masked_jsonl_unmaskableRecord_failsTheDataSetThere_nothingOfItReleased() throws Exception {
    String good = "{\"seq\":1,\"name\":\"陈子轩\"}";
    for (String[] c : REFUSED) {
      for (boolean asGateways : new boolean[] {false, true}) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DatasetRecords rs = records(masker(false), asGateways, out);
        byte[] in = (good + "\n" + good + "\r\n" + c[0] + "\n" + good + "\n").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> feedInPieces(rs, in))
            .as(c[0])
            .isInstanceOfSatisfying(DatasetRecords.DatasetException.class, e -> {
              assertThat(e.code()).isEqualTo(c[1]);
              assertThat(e.getMessage()).doesNotContain("440604").doesNotContain("陈");
            });
        String one = "{\"seq\":1,\"name\":\"陈**\"}\n";
        assertThat(out.toString(StandardCharsets.UTF_8)).as(c[0]).isEqualTo(one + one);
        assertThat(rs.releasedBytes()).isEqualTo(out.size());
      }
    }
  }

  private static void feedInPieces(DatasetRecords rs, byte[] b) throws Exception {
    for (int at = 0; at < b.length; ) {
      int n = Math.min(b.length - at, 1 + RND.nextInt(RND.nextBoolean() ? 7 : 300));
      rs.feed(b, at, n);
      at += n;
    }
  }
}
