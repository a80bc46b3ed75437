package io.shulian.core.internal.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * RFC 8785 (JCS) conformance of {@link LocatedTree#canonicalJson}: the reference implementation's
 * test data (resources {@code vectors/jcs}, see {@code vectors/README.md}), the number samples of
 * RFC 8785 Appendix B, the reference ES6 number file's published checksum, and a seeded property
 * test that every double comes back from its canonical form as the shortest such decimal.
 */
class CanonicalJsonTest {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  // "values" is also the sample of RFC 8785 §3.2.2, and its output the one of §3.2.3.
  @ParameterizedTest
  @ValueSource(strings = {"arrays", "french", "structures", "unicode", "values", "weird"})
  void canonicalJson_referenceTestData_matchesByteForByte(String name) throws IOException {
    JsonNode input = JSON.readTree(resource("input/" + name + ".json"));
    assertThat(new String(LocatedTree.canonicalJson(input), StandardCharsets.UTF_8))
        .isEqualTo(new String(resource("output/" + name + ".json"), StandardCharsets.UTF_8));
  }

  // RFC 8785 Appendix B: IEEE-754 bit patterns and their canonical text.
  @ParameterizedTest
  @CsvSource({
    "0000000000000000, 0",
    "8000000000000000, 0",
    "0000000000000001, 5e-324",
    "8000000000000001, -5e-324",
    "7fefffffffffffff, 1.7976931348623157e+308",
    "ffefffffffffffff, -1.7976931348623157e+308",
    "4340000000000000, 9007199254740992",
    "c340000000000000, -9007199254740992",
    "4430000000000000, 295147905179352830000",
    "44b52d02c7e14af5, 9.999999999999997e+22",
    "44b52d02c7e14af6, 1e+23",
    "44b52d02c7e14af7, 1.0000000000000001e+23",
    "444b1ae4d6e2ef4e, 999999999999999700000",
    "444b1ae4d6e2ef4f, 999999999999999900000",
    "444b1ae4d6e2ef50, 1e+21",
    "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
    "3eb0c6f7a0b5ed8d, 0.000001",
    "41b3de4355555553, 333333333.3333332",
    "41b3de4355555554, 333333333.33333325",
    "41b3de4355555555, 333333333.3333333",
    "41b3de4355555556, 333333333.3333334",
    "41b3de4355555557, 333333333.33333343",
    "becbf647612f3696, -0.0000033333333333333333",
    "43143ff3c1cb0959, 1424953923781206.2",
  })
  void number_rfc8785AppendixB_matches(String bits, String want) {
    assertThat(CanonicalJson.number(Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16)))).isEqualTo(want);
  }

  @ParameterizedTest
  @ValueSource(strings = {"7fffffffffffffff", "7ff0000000000000", "fff0000000000000"})
  void number_nanAndInfinity_refused(String bits) {
    double d = Double.longBitsToDouble(Long.parseUnsignedLong(bits, 16));
    assertThatThrownBy(() -> CanonicalJson.number(d)).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Regenerates the first 10,000 lines of the reference ES6 number file ("hex-bits,canonical\n",
   * inputs from testdata/numgen.go of cyberphone/json-canonicalization, Apache-2.0) and compares
   * the SHA-256 with the one published in its testdata/README.md.
   */
  @Test
  void number_referenceEs6File10k_matchesPublishedChecksum() throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    NumGen gen = new NumGen();
    long size = 0;
    for (int i = 0; i < 10_000; i++) {
      double f = gen.next();
      byte[] line = (Long.toHexString(Double.doubleToRawLongBits(f)) + "," + CanonicalJson.number(f) + "\n")
          .getBytes(StandardCharsets.US_ASCII);
      sha.update(line);
      size += line.length;
    }
    assertThat(size).isEqualTo(399022);
    assertThat(HexFormat.of().formatHex(sha.digest()))
        .isEqualTo("b9f7a8e75ef22a835685a52ccba7f7d6bdc99e34b010992cbc5864cd12be6892");
  }

  @Test
  void number_100kSeededRandomDoubles_roundTripAsShortest() {
    SplittableRandom rnd = new SplittableRandom(8785);
    for (int i = 0; i < 100_000; i++) {
      double d = Double.longBitsToDouble(rnd.nextLong());
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        continue;
      }
      String s = CanonicalJson.number(d);
      assertThat(Double.parseDouble(s)).as("%s reads back", s).isEqualTo(d == 0 ? 0.0 : d);
      BigDecimal v = new BigDecimal(s);
      int p = v.stripTrailingZeros().precision();
      if (p > 1) {
        BigDecimal exact = new BigDecimal(d);
        for (RoundingMode m : new RoundingMode[] {RoundingMode.FLOOR, RoundingMode.CEILING}) {
          BigDecimal shorter = exact.round(new MathContext(p - 1, m));
          assertThat(Double.parseDouble(shorter.toString())).as("%s is shortest", s).isNotEqualTo(d);
        }
      }
    }
  }

  @Test
  void canonicalJson_sortsByUtf16CodeUnitsNotCodePoints() throws IOException {
    // U+FB33 (one unit, 0xFB33) sorts after U+1F602 (surrogates 0xD83D 0xDE02) in UTF-16 order.
    JsonNode n = JSON.readTree("{\"\ufb33\":1,\"\ud83d\ude02\":2}");
    assertThat(new String(LocatedTree.canonicalJson(n), StandardCharsets.UTF_8))
        .isEqualTo("{\"\ud83d\ude02\":2,\"\ufb33\":1}");
  }

  @Test
  void canonicalJson_loneSurrogate_refused() {
    JsonNode n = JsonNodeFactory.instance.objectNode().put("k", "a\ud800b");
    assertThatThrownBy(() -> LocatedTree.canonicalJson(n)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"max: 9007199254740993", "max: 1e400", "max: 1e-400", "max: 0.10000000000000000001"})
  void parse_numberCanonicalizationWouldChange_refusedWithLocation(String yaml) {
    assertThatThrownBy(() -> LocatedTree.parse("p.yaml", yaml.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(LocatedTree.SyntaxException.class)
        .hasMessageStartingWith("p.yaml:1:6: number")
        .hasMessageContaining("IEEE-754 double");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "max: 9007199254740992 | {\"max\":9007199254740992}",
    "max: 0.1 | {\"max\":0.1}",
    "max: 1.50 | {\"max\":1.5}",
    "max: -0.0 | {\"max\":0}",
    "max: 1000000000000000000000.0 | {\"max\":1e+21}",
    "max: 0.0000001 | {\"max\":1e-7}",
  })
  void parse_numberADoubleHolds_canonicalizedPerJcs(String yaml, String want) throws Exception {
    LocatedTree t = LocatedTree.parse("p.yaml", yaml.getBytes(StandardCharsets.UTF_8));
    assertThat(new String(LocatedTree.canonicalJson(t.root()), StandardCharsets.UTF_8)).isEqualTo(want);
  }

  @Test
  void parse_loneSurrogateEscape_refusedWithLocation() {
    assertThatThrownBy(() -> LocatedTree.parse("p.yaml", "k: \"a\\ud800\"".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(LocatedTree.SyntaxException.class)
        .hasMessageContaining("surrogate");
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = CanonicalJsonTest.class.getResourceAsStream("/vectors/jcs/" + name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }

  /** The input sequence of cyberphone/json-canonicalization testdata/numgen.go (Apache-2.0). */
  private static final class NumGen {
    private static final long[] STATIC = {
      0x0000000000000000L, 0x8000000000000000L, 0x0000000000000001L, 0x8000000000000001L,
      0xc46696695dbd1cc3L, 0xc43211ede4974a35L, 0xc3fce97ca0f21056L, 0xc3c7213080c1a6acL,
      0xc39280f39a348556L, 0xc35d9b1f5d20d557L, 0xc327af4c4a80aaacL, 0xc2f2f2a36ecd5556L,
      0xc2be51057e155558L, 0xc28840d131aaaaacL, 0xc253670dc1555557L, 0xc21f0b4935555557L,
      0xc1e8d5d42aaaaaacL, 0xc1b3de4355555556L, 0xc17fca0555555556L, 0xc1496e6aaaaaaaabL,
      0xc114585555555555L, 0xc0e046aaaaaaaaabL, 0xc0aa0aaaaaaaaaaaL, 0xc074d55555555555L,
      0xc040aaaaaaaaaaabL, 0xc00aaaaaaaaaaaabL, 0xbfd5555555555555L, 0xbfa1111111111111L,
      0xbf6b4e81b4e81b4fL, 0xbf35d867c3ece2a5L, 0xbf0179ec9cbd821eL, 0xbecbf647612f3696L,
      0xbe965e9f80f29212L, 0xbe61e54c672874dbL, 0xbe2ca213d840baf8L, 0xbdf6e80fe033c8c6L,
      0xbdc2533fe68fd3d2L, 0xbd8d51ffd74c861cL, 0xbd5774ccac3d3817L, 0xbd22c3d6f030f9acL,
      0xbcee0624b3818f79L, 0xbcb804ea293472c7L, 0xbc833721ba905bd3L, 0xbc4ebe9c5db3c61eL,
      0xbc18987d17c304e5L, 0xbbe3ad30dfcf371dL, 0xbbaf7b816618582fL, 0xbb792f9ab81379bfL,
      0xbb442615600f9499L, 0xbb101e77800c76e1L, 0xbad9ca58cce0be35L, 0xbaa4a1e0a3e6fe90L,
      0xba708180831f320dL, 0xba3a68cd9e985016L, 0x446696695dbd1cc3L, 0x443211ede4974a35L,
      0x43fce97ca0f21056L, 0x43c7213080c1a6acL, 0x439280f39a348556L, 0x435d9b1f5d20d557L,
      0x4327af4c4a80aaacL, 0x42f2f2a36ecd5556L, 0x42be51057e155558L, 0x428840d131aaaaacL,
      0x4253670dc1555557L, 0x421f0b4935555557L, 0x41e8d5d42aaaaaacL, 0x41b3de4355555556L,
      0x417fca0555555556L, 0x41496e6aaaaaaaabL, 0x4114585555555555L, 0x40e046aaaaaaaaabL,
      0x40aa0aaaaaaaaaaaL, 0x4074d55555555555L, 0x4040aaaaaaaaaaabL, 0x400aaaaaaaaaaaabL,
      0x3fd5555555555555L, 0x3fa1111111111111L, 0x3f6b4e81b4e81b4fL, 0x3f35d867c3ece2a5L,
      0x3f0179ec9cbd821eL, 0x3ecbf647612f3696L, 0x3e965e9f80f29212L, 0x3e61e54c672874dbL,
      0x3e2ca213d840baf8L, 0x3df6e80fe033c8c6L, 0x3dc2533fe68fd3d2L, 0x3d8d51ffd74c861cL,
      0x3d5774ccac3d3817L, 0x3d22c3d6f030f9acL, 0x3cee0624b3818f79L, 0x3cb804ea293472c7L,
      0x3c833721ba905bd3L, 0x3c4ebe9c5db3c61eL, 0x3c18987d17c304e5L, 0x3be3ad30dfcf371dL,
      0x3baf7b816618582fL, 0x3b792f9ab81379bfL, 0x3b442615600f9499L, 0x3b101e77800c76e1L,
      0x3ad9ca58cce0be35L, 0x3aa4a1e0a3e6fe90L, 0x3a708180831f320dL, 0x3a3a68cd9e985016L,
      0x4024000000000000L, 0x4014000000000000L, 0x3fe0000000000000L, 0x3fa999999999999aL,
      0x3f747ae147ae147bL, 0x3f40624dd2f1a9fcL, 0x3f0a36e2eb1c432dL, 0x3ed4f8b588e368f1L,
      0x3ea0c6f7a0b5ed8dL, 0x3e6ad7f29abcaf48L, 0x3e35798ee2308c3aL, 0x3ed539223589fa95L,
      0x3ed4ff26cd5a7781L, 0x3ed4f95a762283ffL, 0x3ed4f8c60703520cL, 0x3ed4f8b72f19cd0dL,
      0x3ed4f8b5b31c0c8dL, 0x3ed4f8b58d1c461aL, 0x3ed4f8b5894f7f0eL, 0x3ed4f8b588ee37f3L,
      0x3ed4f8b588e47da4L, 0x3ed4f8b588e3849cL, 0x3ed4f8b588e36bb5L, 0x3ed4f8b588e36937L,
      0x3ed4f8b588e368f8L, 0x3ed4f8b588e368f1L, 0x3ff0000000000000L, 0xbff0000000000000L,
      0xbfeffffffffffffaL, 0xbfeffffffffffffbL, 0x3feffffffffffffaL, 0x3feffffffffffffbL,
      0x3feffffffffffffcL, 0x3feffffffffffffeL, 0xbfefffffffffffffL, 0xbfefffffffffffffL,
      0x3fefffffffffffffL, 0x3fefffffffffffffL, 0x3fd3333333333332L, 0x3fd3333333333333L,
      0x3fd3333333333334L, 0x0010000000000000L, 0x000ffffffffffffdL, 0x000fffffffffffffL,
      0x7fefffffffffffffL, 0xffefffffffffffffL, 0x4340000000000000L, 0xc340000000000000L,
      0x4430000000000000L, 0x44b52d02c7e14af5L, 0x44b52d02c7e14af6L, 0x44b52d02c7e14af7L,
      0x444b1ae4d6e2ef4eL, 0x444b1ae4d6e2ef4fL, 0x444b1ae4d6e2ef50L, 0x3eb0c6f7a0b5ed8cL,
      0x3eb0c6f7a0b5ed8dL, 0x41b3de4355555553L, 0x41b3de4355555554L, 0x41b3de4355555555L,
      0x41b3de4355555556L, 0x41b3de4355555557L, 0xbecbf647612f3696L, 0x43143ff3c1cb0959L,
    };
    private int idx;
    private byte[] block = new byte[32];
    private ByteBuffer data = ByteBuffer.allocate(0);

    double next() throws Exception {
      double f = 0;
      if (idx < STATIC.length) {
        f = Double.longBitsToDouble(STATIC[idx]);
      } else if (idx < STATIC.length + 2000) {
        f = Double.longBitsToDouble(0x0010000000000000L + (idx - STATIC.length));
      } else {
        while (f == 0 || Double.isNaN(f) || Double.isInfinite(f)) {
          if (!data.hasRemaining()) {
            block = MessageDigest.getInstance("SHA-256").digest(block);
            data = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
          }
          f = Double.longBitsToDouble(data.getLong());
        }
      }
      idx++;
      return f;
    }
  }
}
