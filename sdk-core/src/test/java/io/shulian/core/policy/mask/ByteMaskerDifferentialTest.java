package io.shulian.core.policy.mask;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The byte-level fast path of {@link Masker#mask(byte[])} ({@link ByteMasker}) against the Jackson
 * path it replaces for well-formed payloads, on seeded random payloads: data-set records with
 * escapes, characters outside the BMP, numbers of every form and blanks; the masking property
 * test's adversarial shapes (aliases, duplicates, nesting); and both with random bytes inserted,
 * deleted or changed (malformed JSON and UTF-8, byte order marks, control characters). For every
 * payload, whenever the fast path answers, the Jackson path masks it too, to the same bytes; and
 * {@code mask} gives what the Jackson path gives, the same bytes or the same refusal (code and
 * message).
 */
class ByteMaskerDifferentialTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private static final List<String> NAMES = List.of("陈子轩", "李四", "王", "𠮷野家", "A. B", "", "x\\\"y", "\\u9648\\u5b50",
      "\\ud842\\udfb7", "\\ud800", "a\\/b\\n\\t\\b\\f\\r", "é\\u00e9", "😀", "\\u0000\\u001f\\u007f", "广东省佛山市禅城区人民路1号",
      "某县城关镇1号", "内蒙古某旗", "佛山市", "佛山市南海市场路", "市", "区", "ab", "abc", "écrit", "1234567890123456789");
  private static final List<String> NUMBERS = List.of("0", "-0", "1e400", "12345678901234567.89", "-1.5E-300", "42",
      "3.0", "1E+2", "2e-0", "123456789012345678901234567890");
  private static final List<String> KEYS = List.of("seq", "name", "idNumber", "phone", "address", "enrolled",
      "monthlyPension", "owner", "members", "division", "secret", "note", "data", "ID_NUMBER", "id\\u004eumber",
      "名字", "😀k", "");
  private static final List<String> BLANKS = List.of("", "", "", " ", "\t", "\r\n", "  ");

  private static Masker.Builder records() {
    return Masker.builder()
        .field("name", MaskSpec.of(MaskFunction.NAME))
        .field("idNumber", MaskSpec.of(MaskFunction.ID_NUMBER))
        .field("phone", MaskSpec.of(MaskFunction.PHONE))
        .field("address", MaskSpec.of(MaskFunction.ADDRESS))
        .field("owner.idNumber", MaskSpec.of(MaskFunction.HASH))
        .field("members[].phone", MaskSpec.of(MaskFunction.PARTIAL))
        .field("secret", MaskSpec.of(MaskFunction.DROP))
        .listField("seq")
        .listField("enrolled")
        .listField("monthlyPension")
        .listField("members[].name")
        .hashKey(KEY);
  }

  /** Partial masks with other kept counts and mask characters (ASCII, escaped, two and three UTF-8 bytes). */
  private static Masker.Builder maskChars() {
    return Masker.builder()
        .field("name", MaskSpec.parse("name", Map.of("maskChar", "＊")))
        .field("idNumber", MaskSpec.parse("id-number", Map.of("keepFirst", "0", "keepLast", "7", "maskChar", "\"")))
        .field("phone", MaskSpec.parse("partial", Map.of("keepFirst", "5", "keepLast", "5", "maskChar", "\\")))
        .field("address", MaskSpec.parse("address", Map.of("maskChar", "·")))
        .field("note", MaskSpec.parse("bank-card", Map.of("maskChar", "x")))
        .field("members[].name", MaskSpec.parse("partial", Map.of("keepFirst", "32", "keepLast", "32")))
        .listField("seq")
        .hashKey(KEY);
  }

  private static final Map<String, Masker> MASKERS = Map.of(
      "mask-chars", maskChars().build(),
      "records", records().build(),
      "records-projected", records().dropUnlisted(true).build(),
      "records-scoped", records().requireDivisionWithin("division", "4406").build(),
      "records-shallow", records().maxDepth(3).build(),
      "fund", MaskerPropertyTest.fund().build(),
      "fund-projected", MaskerPropertyTest.fund().dropUnlisted(true).build());

  /** One random data-set record (sometimes an array of them), with blanks between tokens. */
  private static String record(Random rnd, int depth) {
    StringBuilder b = new StringBuilder();
    b.append(blank(rnd)).append('{');
    int n = rnd.nextInt(8);
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",").append(blank(rnd)).append('"').append(KEYS.get(rnd.nextInt(KEYS.size())))
          .append('"').append(blank(rnd)).append(':').append(blank(rnd)).append(value(rnd, depth + 1)).append(blank(rnd));
    }
    return b.append('}').append(blank(rnd)).toString();
  }

  private static String value(Random rnd, int depth) {
    int r = rnd.nextInt(depth > 3 ? 7 : 10);
    switch (r) {
      case 0:
      case 1:
      case 2:
        return '"' + NAMES.get(rnd.nextInt(NAMES.size())) + '"';
      case 3:
        return NUMBERS.get(rnd.nextInt(NUMBERS.size()));
      case 4:
        return rnd.nextBoolean() ? "true" : "false";
      case 5:
        return rnd.nextBoolean() ? "null" : '"' + (rnd.nextBoolean() ? "440604" : "440100") + "123456\"";
      case 6:
        return "4406041" + rnd.nextInt(10) + "0";
      case 7:
      case 8:
        return record(rnd, depth);
      default:
        StringBuilder b = new StringBuilder("[");
        for (int i = rnd.nextInt(4); i > 0; i--) {
          b.append(b.length() > 1 ? "," : "").append(blank(rnd)).append(value(rnd, depth + 1));
        }
        return b.append(']').toString();
    }
  }

  private static String blank(Random rnd) {
    return BLANKS.get(rnd.nextInt(BLANKS.size()));
  }

  /** Inserts, deletes or changes a few random bytes. */
  private static byte[] mutate(Random rnd, byte[] b) {
    byte[] alphabet = {'{', '}', '[', ']', '"', '\\', ',', ':', ' ', '0', '-', 'e', '.', 'n', 'u', 0, 0x1f, (byte) 0xef,
        (byte) 0xbb, (byte) 0xbf, (byte) 0xe4, (byte) 0xb8, (byte) 0xed, (byte) 0xa0, (byte) 0xf0, (byte) 0x9f,
        (byte) 0xc0, (byte) 0xff};
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.writeBytes(b);
    byte[] x = o.toByteArray();
    for (int k = 1 + rnd.nextInt(3); k > 0 && x.length > 0; k--) {
      int at = rnd.nextInt(x.length);
      byte c = rnd.nextBoolean() ? alphabet[rnd.nextInt(alphabet.length)] : (byte) rnd.nextInt(256);
      ByteArrayOutputStream y = new ByteArrayOutputStream();
      switch (rnd.nextInt(3)) {
        case 0:
          y.write(x, 0, at);
          y.write(c);
          y.write(x, at, x.length - at);
          break;
        case 1:
          y.write(x, 0, at);
          y.write(x, at + 1, x.length - at - 1);
          break;
        default:
          x[at] = c;
          y.writeBytes(x);
      }
      x = y.toByteArray();
    }
    return x;
  }

  @Test
  void byteScan_agreesWithTheJacksonPath_onRandomRecordsAdversarialShapesAndMutations() {
    Random rnd = new Random(20261207);
    Map<String, Integer> tally = new TreeMap<>();
    for (int round = 0; round < 6_000; round++) {
      String text;
      int kind = rnd.nextInt(4);
      if (kind == 0) {
        text = new MaskerPropertyTest.Gen(rnd.nextLong(), rnd.nextBoolean()).payload();
      } else if (kind == 1 && rnd.nextBoolean()) {
        text = "[" + record(rnd, 1) + "," + (rnd.nextBoolean() ? "null" : record(rnd, 1)) + "]";
      } else {
        text = record(rnd, 0);
      }
      byte[] in = text.getBytes(StandardCharsets.UTF_8);
      if (rnd.nextInt(3) == 0) {
        in = mutate(rnd, in);
      }
      if (rnd.nextInt(40) == 0) {
        byte[] bom = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(bom);
        o.writeBytes(in);
        in = o.toByteArray();
      }
      for (Map.Entry<String, Masker> e : MASKERS.entrySet()) {
        compare(e.getKey(), e.getValue(), in, tally);
        compareLine(e.getKey(), e.getValue(), recordMaskers.get(e.getKey()), in, rnd, tally);
      }
    }
    // not vacuous: the fast path answered often, and both paths masked and refused payloads
    assertThat(tally.getOrDefault("fast", 0)).as("%s", tally).isGreaterThan(6_000);
    assertThat(tally.getOrDefault("slow-masked", 0)).as("%s", tally).isGreaterThan(500);
    assertThat(tally.getOrDefault("line-masked", 0)).as("%s", tally).isGreaterThan(6_000);
    assertThat(tally.getOrDefault("line-refused", 0)).as("%s", tally).isGreaterThan(1_000);
    assertThat(tally.keySet()).as("%s", tally).contains("refused-INVALID_JSON", "refused-SHAPE_MISMATCH",
        "refused-DUPLICATE_FIELD", "refused-ALIASED_FIELD", "refused-RECORD_OUTSIDE_DIVISION", "refused-JSON_TOO_DEEP");
  }

  @Test
  void byteScan_writesStringsAsTheGenerator_forEveryBmpCharacterAndSurrogate() {
    Masker m = records().build();
    Map<String, Integer> tally = new TreeMap<>();
    for (int c = 0; c < 0x10000; c += 1) {
      String esc = String.format("\\u%04x", c);
      String raw = c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate((char) c) ? esc : String.valueOf((char) c);
      for (String v : new String[] {esc, raw + "😀" + raw}) {
        compare("note " + c, m, ("{\"note\":\"" + v + "\",\"name\":\"" + v + v + "\"}").getBytes(StandardCharsets.UTF_8), tally);
      }
    }
    assertThat(tally.getOrDefault("fast", 0)).as("%s", tally).isGreaterThan(2 * 0xf000);
  }

  /**
   * The byte scan takes a string exactly when it is well-formed UTF-8 (RFC 3629: shortest forms,
   * no surrogates, at most U+10FFFF), unlisted or masked: a record it takes goes out as it came in
   * (moved here from the data-set record cutter, whose own check the scan replaced).
   */
  @Test
  void byteScan_takesAStringExactlyWhenItIsWellFormedUtf8_onEdgeCasesAndRandomBytes() {
    Masker m = records().build();
    RecordMasker lines = m.recordMasker();
    String[] hex = {"", "41", "c280", "c1bf", "c0af", "dfbf", "e0a080", "e09fbf", "eda080", "ed9fbf", "ee8080",
        "efbfbd", "f0908080", "f08fbfbf", "f48fbfbf", "f4908080", "f5808080", "ff", "80", "e4b8", "e4b8ad",
        "f09f9880", "f09f98", "4142434445464748e4b8ad", "41424344454647e4b8ad41", "414243444546474849"};
    Random rnd = new Random(20261207);
    byte[] leads = {(byte) 0xc2, (byte) 0xdf, (byte) 0xe0, (byte) 0xe4, (byte) 0xed, (byte) 0xef, (byte) 0xf0,
        (byte) 0xf4, (byte) 0xf5, (byte) 0xc0, (byte) 0x80, (byte) 0x9f, (byte) 0xa0, (byte) 0xbf, 'a', '{'};
    for (int round = -hex.length; round < 20_000; round++) {
      byte[] b;
      if (round < 0) {
        b = HexFormat.of().parseHex(hex[-round - 1]);
      } else {
        b = new byte[rnd.nextInt(24)];
        for (int i = 0; i < b.length; i++) {
          b[i] = rnd.nextBoolean() ? leads[rnd.nextInt(leads.length)] : (byte) (0x80 | rnd.nextInt(64));
        }
      }
      boolean wellFormed = strictUtf8(b);
      for (String member : new String[] {"note", "name"}) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(("{\"" + member + "\":\"").getBytes(StandardCharsets.US_ASCII));
        o.writeBytes(b);
        o.writeBytes("\"}".getBytes(StandardCharsets.US_ASCII));
        byte[] in = o.toByteArray();
        String what = member + " " + HexFormat.of().formatHex(b);
        assertThat(ByteMasker.mask(m, in) != null).as(what).isEqualTo(wellFormed);
        // (the generator writes characters outside the BMP as escaped surrogates)
        boolean bmp = new String(b, StandardCharsets.UTF_8).codePoints().allMatch(Character::isBmpCodePoint);
        if (wellFormed && bmp && member.equals("note")) {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          try {
            lines.maskLine(in, 0, in.length, out);
          } catch (MaskingException | java.io.IOException e) {
            throw new AssertionError(what, e);
          }
          assertThat(java.util.Arrays.copyOf(out.toByteArray(), out.size() - 1)).as(what).isEqualTo(in);
        }
      }
    }
  }

  /** Duplicates among more than 64 listed members (past the bit set of {@link SeenMembers}) are refused by both paths. */
  @Test
  void duplicateMember_pastTheSixtyFourth_refusedByBothPaths_distinctOnesMasked() throws MaskingException {
    Masker.Builder b = Masker.builder();
    StringBuilder all = new StringBuilder("{");
    for (int i = 0; i < 70; i++) {
      b.listField("f" + i);
      all.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":").append(i);
    }
    Masker m = b.field("name", MaskSpec.of(MaskFunction.NAME)).build();
    byte[] distinct = all.append(",\"name\":\"陈子轩\"}").toString().getBytes(StandardCharsets.UTF_8);
    assertThat(ByteMasker.mask(m, distinct)).isEqualTo(m.maskWithJackson(distinct)).isNotNull();
    for (String twice : new String[] {"f69", "f64", "f3"}) {
      byte[] dup = ("{\"" + twice + "\":1," + all.substring(1)).getBytes(StandardCharsets.UTF_8);
      assertThat(ByteMasker.mask(m, dup)).as(twice).isNull();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.mask(dup)).as(twice)
          .isInstanceOfSatisfying(MaskingException.class, e -> assertThat(e.code()).isEqualTo("DUPLICATE_FIELD"));
    }
  }

  private static boolean strictUtf8(byte[] b) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b));
      return true;
    } catch (java.nio.charset.CharacterCodingException e) {
      return false;
    }
  }

  /** One record masker per masker, used for every payload in turn (its buffer and state are reused). */
  private final Map<String, RecordMasker> recordMaskers = new TreeMap<>();

  {
    MASKERS.forEach((k, v) -> recordMaskers.put(k, v.recordMasker()));
  }

  /**
   * {@link RecordMasker#maskLine} on the payload placed at a random offset of a larger array, after
   * every payload before it: the same bytes (and a line feed) as {@code mask} of the payload read as
   * a String (malformed UTF-8 as U+FFFD), or the same refusal with nothing written.
   */
  private static void compareLine(String name, Masker m, RecordMasker lines, byte[] in, Random rnd,
      Map<String, Integer> tally) {
    String what = name + " (line): " + HexFormat.of().formatHex(in);
    byte[] decoded = new String(in, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
    byte[] want = null;
    MaskingException refused = null;
    try {
      want = m.mask(decoded);
    } catch (MaskingException e) {
      refused = e;
    }
    int off = rnd.nextInt(4);
    byte[] padded = new byte[off + in.length + rnd.nextInt(4)];
    java.util.Arrays.fill(padded, (byte) '"');
    System.arraycopy(in, 0, padded, off, in.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      int n = lines.maskLine(padded, off, in.length, out);
      assertThat(refused).as(what).isNull();
      byte[] line = java.util.Arrays.copyOf(want, want.length + 1);
      line[want.length] = '\n';
      assertThat(out.toByteArray()).as(what).isEqualTo(line);
      assertThat(n).as(what).isEqualTo(line.length);
      tally.merge("line-masked", 1, Integer::sum);
    } catch (MaskingException e) {
      assertThat(refused).as(what).isNotNull();
      assertThat(e.code()).as(what).isEqualTo(refused.code());
      assertThat(out.size()).as(what + ": nothing of a refused record").isZero();
      tally.merge("line-refused", 1, Integer::sum);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void compare(String name, Masker m, byte[] in, Map<String, Integer> tally) {
    String what = name + ": " + HexFormat.of().formatHex(in) + " " + new String(in, StandardCharsets.UTF_8);
    byte[] fast = ByteMasker.mask(m, in);
    byte[] slow = null;
    MaskingException refused = null;
    try {
      slow = m.maskWithJackson(in);
    } catch (MaskingException e) {
      refused = e;
    }
    if (fast != null) {
      tally.merge("fast", 1, Integer::sum);
      assertThat(refused).as(what).isNull();
      assertThat(new String(fast, StandardCharsets.UTF_8)).as(what).isEqualTo(new String(slow, StandardCharsets.UTF_8));
      assertThat(fast).as(what).isEqualTo(slow);
    }
    try {
      byte[] out = m.mask(in);
      assertThat(refused).as(what).isNull();
      assertThat(out).as(what).isEqualTo(slow);
      tally.merge(fast == null ? "slow-masked" : "masked", 1, Integer::sum);
    } catch (MaskingException e) {
      assertThat(refused).as(what).isNotNull();
      assertThat(e.code()).as(what).isEqualTo(refused.code());
      assertThat(e.getMessage()).as(what).isEqualTo(refused.getMessage());
      tally.merge("refused-" + e.code(), 1, Integer::sum);
    }
  }
}
