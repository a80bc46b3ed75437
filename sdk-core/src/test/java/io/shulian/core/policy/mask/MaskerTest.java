package io.shulian.core.policy.mask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MaskerTest {
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  static String mask(Masker m, String json) throws MaskingException {
    return new String(m.mask(json.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
  }

  @Test
  void partial_defaults_followDocumentedPractice() {
    assertThat(Masker.partial("张三丰", 1, 0, '*')).isEqualTo("张**");
    assertThat(Masker.partial("李四", 1, 0, '*')).isEqualTo("李*");
    assertThat(Masker.partial("王", 1, 0, '*')).isEqualTo("*");
    assertThat(Masker.partial("440604199001011234", 6, 4, '*')).isEqualTo("440604********1234");
    assertThat(Masker.partial("13812345678", 3, 4, '*')).isEqualTo("138****5678");
    assertThat(Masker.partial("6222020200112233445", 4, 4, '*')).isEqualTo("6222***********3445");
    assertThat(Masker.partial("1234", 3, 4, '*')).as("short values keep less").isEqualTo("1**4");
    assertThat(Masker.partial("", 3, 4, '*')).isEmpty();
  }

  @Test
  void partial_copiesTheKeptEndsWhole_asTheCodePointLoopDid_withSurrogatePairsAndLoneSurrogates() {
    java.util.Random rnd = new java.util.Random(20261206);
    String[] units = {"a", "7", "陈", "😀", "\uD83D", "\uDE00", "é", " "};
    for (int round = 0; round < 5000; round++) {
      StringBuilder b = new StringBuilder();
      for (int i = rnd.nextInt(14); i > 0; i--) {
        b.append(units[rnd.nextInt(units.length)]);
      }
      String s = b.toString();
      int kf = rnd.nextInt(6);
      int kl = rnd.nextInt(6);
      assertThat(Masker.partial(s, kf, kl, '*')).as("%s %d %d", s, kf, kl).isEqualTo(partialByCodePoint(s, kf, kl, '*'));
    }
  }

  /** The code point loop partial() had (reference). */
  private static String partialByCodePoint(String s, int keepFirst, int keepLast, char maskChar) {
    int n = s.codePointCount(0, s.length());
    int kf = keepFirst;
    int kl = keepLast;
    int limit = kf + kl >= n ? n / 2 : n;
    while (kf + kl > limit) {
      if (kf >= kl) {
        kf--;
      } else {
        kl--;
      }
    }
    StringBuilder b = new StringBuilder();
    int cp = 0;
    for (int i = 0; i < s.length(); cp++) {
      int c = s.codePointAt(i);
      if (cp < kf || cp >= n - kl) {
        b.appendCodePoint(c);
      } else {
        b.append(maskChar);
      }
      i += Character.charCount(c);
    }
    return b.toString();
  }

  @Test
  void address_keepsUpToDistrict() {
    assertThat(Masker.address("广东省佛山市禅城区祖庙街道人民路1号", '*')).isEqualTo("广东省佛山市禅城区****");
    assertThat(Masker.address("佛山市某某路2号", '*')).isEqualTo("佛山市****");
    assertThat(Masker.address("某某路2号", '*')).isEqualTo("****");
  }

  @Test
  void mask_nestedObjectsAndArrays_masksOnlyNamedPaths() throws Exception {
    Masker m = Masker.builder()
        .field("applicant.name", MaskSpec.of(MaskFunction.NAME))
        .field("applicant.idNumber", MaskSpec.of(MaskFunction.ID_NUMBER))
        .field("members[].phone", MaskSpec.of(MaskFunction.PHONE))
        .field("members[].secret", MaskSpec.of(MaskFunction.DROP))
        .field("address", MaskSpec.of(MaskFunction.ADDRESS))
        .listField("members[].name")
        .build();
    String in = "{\"applicant\":{\"name\":\"张三丰\",\"idNumber\":\"440604199001011234\",\"age\":30},"
        + "\"members\":[{\"phone\":\"13812345678\",\"secret\":{\"x\":1},\"name\":\"李四\"},{\"phone\":null}],"
        + "\"address\":\"广东省佛山市禅城区人民路1号\",\"other\":{\"holder\":{\"title\":\"不变\"}}}";
    assertThat(mask(m, in)).isEqualTo("{\"applicant\":{\"name\":\"张**\",\"idNumber\":\"440604********1234\",\"age\":30},"
        + "\"members\":[{\"phone\":\"138****5678\",\"name\":\"李四\"},{\"phone\":null}],"
        + "\"address\":\"广东省佛山市禅城区****\",\"other\":{\"holder\":{\"title\":\"不变\"}}}");
  }

  @Test
  void mask_topLevelArray_eachElementIsARecord() throws Exception {
    Masker m = Masker.builder().field("phone", MaskSpec.of(MaskFunction.PHONE)).build();
    assertThat(mask(m, "[{\"phone\":\"13812345678\"},{\"phone\":13912345678},{\"x\":true}]"))
        .isEqualTo("[{\"phone\":\"138****5678\"},{\"phone\":\"139****5678\"},{\"x\":true}]");
  }

  @Test
  void mask_structuredValueAtPartialPath_refused() {
    Masker m = Masker.builder().field("name", MaskSpec.of(MaskFunction.NAME)).build();
    assertThatThrownBy(() -> mask(m, "{\"name\":{\"first\":\"三\",\"last\":\"张\"}}")).isInstanceOf(MaskingException.class)
        .extracting(e -> ((MaskingException) e).code()).isEqualTo("SHAPE_MISMATCH");
  }

  @Test
  void mask_hash_isKeyedDeterministicAndJoinable() throws Exception {
    Masker a = Masker.builder().field("id", MaskSpec.of(MaskFunction.HASH)).hashKey(KEY).build();
    Masker sm3 = Masker.builder().field("id", MaskSpec.parse("hash", Map.of("algorithm", "hmac-sm3"))).hashKey(KEY).build();
    byte[] other = KEY.clone();
    other[0] ^= 1;
    Masker b = Masker.builder().field("id", MaskSpec.of(MaskFunction.HASH)).hashKey(other).build();
    String x = mask(a, "{\"id\":\"440604199001011234\"}");
    assertThat(x).isEqualTo(mask(a, "{\"id\":\"440604199001011234\"}"));
    assertThat(x).doesNotContain("4406041990");
    assertThat(x).matches("\\{\"id\":\"[A-Za-z0-9_-]{43}\"\\}");
    assertThat(mask(b, "{\"id\":\"440604199001011234\"}")).isNotEqualTo(x);
    assertThat(mask(sm3, "{\"id\":\"440604199001011234\"}")).isNotEqualTo(x).matches("\\{\"id\":\"[A-Za-z0-9_-]{43}\"\\}");
  }

  @Test
  void build_hashWithoutKey_refused() {
    assertThatThrownBy(() -> Masker.builder().field("id", MaskSpec.of(MaskFunction.HASH)).build())
        .isInstanceOf(MissingHashKeyException.class).hasMessageContaining("hash key").hasMessageContaining("field id");
  }

  @Test
  void field_twoSpecs_stricterWins() {
    Masker m = Masker.builder()
        .field("a", MaskSpec.of(MaskFunction.PHONE))
        .field("a", MaskSpec.of(MaskFunction.DROP))
        .field("b", MaskSpec.of(MaskFunction.NONE))
        .field("b", MaskSpec.of(MaskFunction.NAME))
        .build();
    assertThat(m.fields().get("a").function()).isEqualTo(MaskFunction.DROP);
    assertThat(m.fields().get("b").function()).isEqualTo(MaskFunction.NAME);
    assertThat(MaskSpec.stricter(MaskSpec.of(MaskFunction.HASH), MaskSpec.of(MaskFunction.ID_NUMBER)).function())
        .isEqualTo(MaskFunction.HASH);
    assertThat(MaskSpec.stricter(MaskSpec.of(MaskFunction.PHONE), MaskSpec.of(MaskFunction.NAME)).function())
        .as("between partial masks the one keeping fewer characters").isEqualTo(MaskFunction.NAME);
  }

  @Test
  void parse_unknownFunctionOrParameter_refusedWithName() {
    assertThatThrownBy(() -> MaskSpec.parse("scramble", Map.of())).hasMessageContaining("unknown mask function 'scramble'");
    assertThatThrownBy(() -> MaskSpec.parse("phone", Map.of("keepMiddle", "3"))).hasMessageContaining("keepMiddle");
    assertThatThrownBy(() -> MaskSpec.parse("phone", Map.of("keepFirst", "-1"))).hasMessageContaining("0 to 32");
    assertThatThrownBy(() -> MaskSpec.parse("hash", Map.of("algorithm", "md5"))).hasMessageContaining("hmac-sha256 or hmac-sm3");
    assertThat(MaskSpec.parse("phone", Map.of("keepFirst", "2", "maskChar", "#")).toString()).isEqualTo("phone{keepFirst=2, maskChar=#}");
  }

  @Test
  void mask_invalidJson_refused() {
    Masker m = Masker.builder().field("a", MaskSpec.of(MaskFunction.NAME)).build();
    for (String bad : new String[] {"", "{", "{\"a\":}", "[{},", "{\"a\":1}{}", "nul", "{\"x\":[1,2}", "{\"x\":01}"}) {
      assertThatThrownBy(() -> mask(m, bad)).as(bad).isInstanceOf(MaskingException.class)
          .extracting(e -> ((MaskingException) e).code()).isEqualTo("INVALID_JSON");
    }
  }

  @Test
  void mask_duplicateListedMember_refused() {
    Masker m = Masker.builder().field("p", MaskSpec.of(MaskFunction.PHONE)).build();
    assertThatThrownBy(() -> mask(m, "{\"p\":\"13812345678\",\"p\":\"13912345678\"}")).isInstanceOf(MaskingException.class)
        .extracting(e -> ((MaskingException) e).code()).isEqualTo("DUPLICATE_FIELD");
  }

  @Test
  void mask_tooDeep_refused() {
    Masker m = Masker.builder().field("a", MaskSpec.of(MaskFunction.NAME)).maxDepth(16).build();
    String deep = "{\"x\":" + "[".repeat(16) + "]".repeat(16) + "}";
    assertThatThrownBy(() -> mask(m, deep)).isInstanceOf(MaskingException.class)
        .extracting(e -> ((MaskingException) e).code()).isEqualTo("JSON_TOO_DEEP");
  }

  /** Generates a JSON array of {@code records} records without holding it in memory. */
  static final class RecordStream extends InputStream {
    private final long records;
    private long next;
    private byte[] chunk = "[".getBytes(StandardCharsets.UTF_8);
    private int pos;
    long generatedBytes;
    Runnable onHalf = () -> {};

    RecordStream(long records) {
      this.records = records;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos == chunk.length) {
        if (next > records) {
          return -1;
        }
        if (next == records / 2) {
          onHalf.run();
        }
        String rec = next == records ? "]" : (next == 0 ? "" : ",")
            + "{\"id\":" + next + ",\"name\":\"张三丰\",\"idNumber\":\"44060419900101" + (1000 + next % 9000)
            + "\",\"phone\":\"138" + (10000000 + next % 90000000) + "\",\"note\":\"" + "x".repeat(100)
            + "\",\"items\":[1,2,3,{\"k\":\"v\"}]}";
        chunk = rec.getBytes(StandardCharsets.UTF_8);
        pos = 0;
        next++;
      }
      int n = Math.min(len, chunk.length - pos);
      System.arraycopy(chunk, pos, b, off, n);
      pos += n;
      generatedBytes += n;
      return n;
    }
  }

  /** Counts bytes and keeps only the tail, so the output takes no memory either. */
  static class CountingSink extends OutputStream {
    long count;
    final byte[] tail = new byte[512];

    @Override
    public void write(int b) {
      tail[(int) (count++ % tail.length)] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      for (int i = 0; i < len; i++) {
        write(b[off + i]);
      }
    }

    String tail() {
      StringBuilder sb = new StringBuilder();
      for (long i = Math.max(0, count - tail.length); i < count; i++) {
        sb.append((char) (tail[(int) (i % tail.length)] & 0xff));
      }
      return sb.toString();
    }
  }

  static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  @Test
  void mask_100MegabyteArray_heapDoesNotGrow() throws Exception {
    Masker m = Masker.builder()
        .field("name", MaskSpec.of(MaskFunction.NAME))
        .field("idNumber", MaskSpec.of(MaskFunction.ID_NUMBER))
        .field("phone", MaskSpec.of(MaskFunction.PHONE))
        .build();
    long records = 100L * 1024 * 1024 / 220; // ~220 bytes a record
    RecordStream in = new RecordStream(records);
    long[] heap = new long[2];
    heap[0] = usedHeapAfterGc();
    in.onHalf = () -> heap[1] = usedHeapAfterGc();
    CountingSink out = new CountingSink();
    m.mask(in, out);
    long after = usedHeapAfterGc();

    assertThat(in.generatedBytes).isGreaterThan(100L * 1024 * 1024);
    assertThat(out.count).isGreaterThan(95L * 1024 * 1024);
    assertThat(out.tail()).endsWith("\"idNumber\":\"440604********" + (1000 + (records - 1) % 9000) + "\",\"phone\":\"138****"
        + String.valueOf(10000000 + (records - 1) % 90000000).substring(4) + "\",\"note\":\"" + "x".repeat(100)
        + "\",\"items\":[1,2,3,{\"k\":\"v\"}]}]");
    // Halfway through 100 MB and at the end, the heap holds no more than a few buffers more than before.
    assertThat(heap[1] - heap[0]).as("heap growth halfway (bytes)").isLessThan(16L * 1024 * 1024);
    assertThat(after - heap[0]).as("heap growth at the end (bytes)").isLessThan(16L * 1024 * 1024);
  }

  @Test
  void mask_streamsAreNotClosed() throws Exception {
    Masker m = Masker.builder().field("a", MaskSpec.of(MaskFunction.NAME)).build();
    boolean[] closed = new boolean[2];
    InputStream in = new ByteArrayInputStream("{\"a\":\"bc\"}".getBytes(StandardCharsets.UTF_8)) {
      @Override
      public void close() {
        closed[0] = true;
      }
    };
    CountingSink out = new CountingSink() {
      @Override
      public void close() {
        closed[1] = true;
      }
    };
    m.mask(in, out);
    assertThat(closed).containsExactly(false, false);
    assertThat(out.tail()).isEqualTo("{\"a\":\"b*\"}");
  }
}
