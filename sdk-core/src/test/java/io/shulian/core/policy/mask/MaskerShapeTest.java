package io.shulian.core.policy.mask;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and sloppy response shapes around masked paths (issue 12, finding 3): each is refused
 * with a typed code, and the clear value never appears in the output or the message.
 */
class MaskerShapeTest {
  static final String ID = "440604199001011234";
  static final String PHONE = "13800138000";
  static final String CARD = "6222020200112233445";

  /** The masks the policy engine puts on the provident-fund resource, without projection. */
  static Masker.Builder fundMasks() {
    return Masker.builder()
        .field("applicant.name", MaskSpec.of(MaskFunction.NAME))
        .field("applicant.idNumber", MaskSpec.of(MaskFunction.ID_NUMBER))
        .field("applicant.phone", MaskSpec.of(MaskFunction.DROP))
        .field("members[].phone", MaskSpec.of(MaskFunction.PHONE))
        .field("bankCard", MaskSpec.of(MaskFunction.DROP));
  }

  static Stream<Arguments> hostileShapes() {
    return Stream.of(
        Arguments.of("array where an object is expected", "{\"applicant\":[{\"idNumber\":\"" + ID + "\"}]}", ID, "SHAPE_MISMATCH"),
        Arguments.of("object where an array is expected", "{\"members\":{\"phone\":\"" + PHONE + "\"}}", PHONE, "SHAPE_MISMATCH"),
        Arguments.of("scalar where an object is expected", "{\"applicant\":\"" + ID + "\"}", ID, "SHAPE_MISMATCH"),
        Arguments.of("scalar where an array is expected", "{\"members\":\"" + PHONE + "\"}", PHONE, "SHAPE_MISMATCH"),
        Arguments.of("number where an object is expected", "{\"applicant\":" + ID + "}", ID, "SHAPE_MISMATCH"),
        Arguments.of("wrapper object data", "{\"data\":{\"applicant\":{\"idNumber\":\"" + ID + "\"}}}", ID, "ALIASED_FIELD"),
        Arguments.of("wrapper array results", "{\"total\":1,\"results\":[{\"applicant\":{\"idNumber\":\"" + ID + "\"}}]}", ID,
            "ALIASED_FIELD"),
        Arguments.of("deep wrapper", "{\"a\":{\"b\":[{\"c\":{\"phone\":\"" + PHONE + "\"}}]}}", PHONE, "ALIASED_FIELD"),
        Arguments.of("dropped field inside a wrapper", "{\"data\":{\"bankCard\":\"" + CARD + "\"}}", CARD, "ALIASED_FIELD"),
        Arguments.of("number inside a wrapper", "{\"data\":{\"idNumber\":" + ID + "}}", ID, "ALIASED_FIELD"),
        Arguments.of("nested arrays at the top", "[[{\"applicant\":{\"idNumber\":\"" + ID + "\"}}]]", ID, "SHAPE_MISMATCH"),
        Arguments.of("nested arrays on a path", "{\"members\":[[{\"phone\":\"" + PHONE + "\"}]]}", PHONE, "SHAPE_MISMATCH"),
        Arguments.of("scalar record in a top-level array", "[{\"applicant\":{\"name\":\"x\"}},\"" + ID + "\"]", ID,
            "SHAPE_MISMATCH"),
        Arguments.of("scalar element where records are expected", "{\"members\":[{\"phone\":\"1\"},\"" + PHONE + "\"]}", PHONE,
            "SHAPE_MISMATCH"),
        Arguments.of("top-level string", "\"" + ID + "\"", ID, "SHAPE_MISMATCH"),
        Arguments.of("top-level number", ID, ID, "SHAPE_MISMATCH"),
        Arguments.of("array at a masked leaf", "{\"applicant\":{\"idNumber\":[\"" + ID + "\"]}}", ID, "SHAPE_MISMATCH"),
        Arguments.of("object at a masked leaf", "{\"applicant\":{\"idNumber\":{\"v\":\"" + ID + "\"}}}", ID, "SHAPE_MISMATCH"),
        Arguments.of("flat key named like the path", "{\"applicant.idNumber\":\"" + ID + "\"}", ID, "ALIASED_FIELD"),
        Arguments.of("flat key with array brackets", "{\"members[].phone\":\"" + PHONE + "\"}", PHONE, "ALIASED_FIELD"),
        Arguments.of("flat key with an index", "{\"members[0].phone\":\"" + PHONE + "\"}", PHONE, "ALIASED_FIELD"),
        Arguments.of("leaf differing by case", "{\"applicant\":{\"IDNUMBER\":\"" + ID + "\"}}", ID, "ALIASED_FIELD"),
        Arguments.of("parent differing by case", "{\"Applicant\":{\"idNumber\":\"" + ID + "\"}}", ID, "ALIASED_FIELD"),
        Arguments.of("leaf with separators", "{\"applicant\":{\"id_number\":\"" + ID + "\"}}", ID, "ALIASED_FIELD"),
        Arguments.of("fullwidth leaf name", "{\"applicant\":{\"ｉｄＮｕｍｂｅｒ\":\"" + ID + "\"}}", ID, "ALIASED_FIELD"),
        Arguments.of("dotless-i leaf name", "{\"applicant\":{\"ıdNumber\":\"" + ID + "\"}}", ID, "ALIASED_FIELD"),
        Arguments.of("dropped field differing by case", "{\"BankCard\":\"" + CARD + "\"}", CARD, "ALIASED_FIELD"),
        Arguments.of("known element holding an unknown object", "{\"members\":[{\"contact\":{\"phone\":\"" + PHONE + "\"}}]}",
            PHONE, "ALIASED_FIELD"),
        Arguments.of("duplicate masked key", "{\"applicant\":{\"idNumber\":\"440604********1234\",\"idNumber\":\"" + ID + "\"}}",
            ID, "DUPLICATE_FIELD"),
        Arguments.of("duplicate parent key", "{\"applicant\":{\"name\":\"x\"},\"applicant\":{\"idNumber\":\"" + ID + "\"}}", ID,
            "DUPLICATE_FIELD"),
        Arguments.of("duplicate via unicode escape", "{\"applicant\":{\"idNumber\":\"1\",\"id\\u004eumber\":\"" + ID + "\"}}", ID,
            "DUPLICATE_FIELD"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileShapes")
  void mask_hostileShape_refusedWithCodeAndNoClearValue(String name, String json, String secret, String code) {
    Masker m = fundMasks().build();
    assertThatThrownBy(() -> m.mask(json.getBytes(StandardCharsets.UTF_8))).as(name)
        .isInstanceOf(MaskingException.class)
        .satisfies(e -> {
          assertThat(((MaskingException) e).code()).as(name).isEqualTo(code);
          assertThat(e.getMessage()).as(name).doesNotContain(secret);
        });
  }

  @Test
  void mask_unicodeEscapedKeyAndValue_decodedAndMasked() throws Exception {
    Masker m = fundMasks().build();
    String escapedId = ID.chars().mapToObj(c -> String.format("\\u%04x", c)).reduce("", String::concat);
    String out = new String(m.mask(("{\"applicant\":{\"id\\u004eumber\":\"" + escapedId + "\"}}")
        .getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    assertThat(out).isEqualTo("{\"applicant\":{\"idNumber\":\"440604********1234\"}}");
  }

  @Test
  void mask_nullsOnMaskedPaths_keptAsNull() throws Exception {
    Masker m = fundMasks().build();
    String in = "{\"applicant\":null,\"members\":[null,{\"phone\":null}],\"bankCard\":null}";
    assertThat(new String(m.mask(in.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
        .isEqualTo("{\"applicant\":null,\"members\":[null,{\"phone\":null}]}");
  }

  @Test
  void mask_dropLeaf_dropsAnyType() throws Exception {
    Masker m = fundMasks().build();
    String in = "{\"bankCard\":{\"n\":\"" + CARD + "\"},\"applicant\":{\"phone\":[\"" + PHONE + "\"]}}";
    assertThat(new String(m.mask(in.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8)).isEqualTo("{\"applicant\":{}}");
  }

  @Test
  void mask_dropUnlisted_keepsOnlyListedFields() throws Exception {
    Masker m = fundMasks().listField("balance").listField("members[].name").dropUnlisted(true).build();
    String in = "{\"applicant\":{\"name\":\"张三丰\",\"age\":30,\"IDNUMBER\":\"" + ID + "\"},\"zjhm\":\"" + ID + "\","
        + "\"members\":[{\"phone\":\"" + PHONE + "\",\"name\":\"李四\",\"x\":{\"idNumber\":\"" + ID + "\"}}],"
        + "\"data\":{\"applicant\":{\"idNumber\":\"" + ID + "\"}},\"balance\":1e400,\"bankCard\":\"" + CARD + "\"}";
    assertThat(new String(m.mask(in.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
        .isEqualTo("{\"applicant\":{\"name\":\"张**\"},\"members\":[{\"phone\":\"138****8000\",\"name\":\"李四\"}],"
            + "\"balance\":1e400}");
  }

  @Test
  void mask_dropUnlisted_shapeOfListedFieldsStillChecked() {
    Masker m = fundMasks().listField("balance").dropUnlisted(true).build();
    for (String bad : new String[] {"{\"balance\":{\"idNumber\":\"" + ID + "\"}}", "{\"applicant\":[\"" + ID + "\"]}",
        "[[\"" + ID + "\"]]", "{\"balance\":1,\"balance\":\"" + ID + "\"}"}) {
      assertThatThrownBy(() -> m.mask(bad.getBytes(StandardCharsets.UTF_8))).as(bad).isInstanceOf(MaskingException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(ID));
    }
  }

  @Test
  void mask_listedUnmaskedLeafHoldingAStructure_refused() {
    Masker m = fundMasks().listField("balance").build();
    assertThatThrownBy(() -> m.mask(("{\"balance\":{\"v\":\"" + ID + "\"}}").getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MaskingException.class).extracting(e -> ((MaskingException) e).code()).isEqualTo("SHAPE_MISMATCH");
  }

  @Test
  void mask_invalidTokenHoldingData_messageDoesNotQuoteIt() {
    Masker m = fundMasks().build();
    for (String bad : new String[] {"{\"applicant\":{\"idNumber\":" + ID + "X}}", "{\"x\":'" + ID + "'}",
        "{\"x\":\"" + ID + "\"", "{\"x\":[\"" + ID + "\" \"" + ID + "\"]}", "{\"x\":NaN" + ID + "}"}) {
      assertThatThrownBy(() -> m.mask(bad.getBytes(StandardCharsets.UTF_8))).as(bad).isInstanceOf(MaskingException.class)
          .satisfies(e -> {
            assertThat(((MaskingException) e).code()).as(bad).isEqualTo("INVALID_JSON");
            assertThat(e.getMessage()).as(bad).doesNotContain(ID).doesNotContain("4406041990");
          });
    }
  }

  @Test
  void mask_overlongNumberOrString_refusedAsTooLarge() {
    Masker m = fundMasks().build();
    String longNumber = "{\"balance\":" + "9".repeat(2000) + "}";
    assertThatThrownBy(() -> m.mask(longNumber.getBytes(StandardCharsets.UTF_8))).isInstanceOf(MaskingException.class)
        .extracting(e -> ((MaskingException) e).code()).isEqualTo("JSON_TOO_LARGE");
  }

  @Test
  void mask_loneSurrogateEscape_refusedOrCopiedWithoutCrash() throws Exception {
    Masker m = fundMasks().build();
    for (String in : new String[] {"{\"x\":\"\\ud800\"}", "{\"applicant\":{\"name\":\"\\udc00\\ud800\"}}",
        "{\"\\ud800\":1}"}) {
      try {
        m.mask(in.getBytes(StandardCharsets.UTF_8));
      } catch (MaskingException e) {
        assertThat(e.code()).as(in).isEqualTo("INVALID_JSON");
      }
    }
  }

  @Test
  void build_listedFieldParentOfAnother_refused() {
    assertThatThrownBy(() -> Masker.builder().listField("applicant").field("applicant.name", MaskSpec.of(MaskFunction.NAME))
        .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parent");
    assertThatThrownBy(() -> Masker.builder().field("members[].phone", MaskSpec.of(MaskFunction.PHONE)).listField("members")
        .build()).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parent");
    assertThatThrownBy(() -> Masker.builder().listField("tags[]").listField("tags[].x").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parent");
  }

  @Test
  void mask_arrayLeaf_elementsMaskedAndShapeChecked() throws Exception {
    Masker m = Masker.builder().field("phones[]", MaskSpec.of(MaskFunction.PHONE)).build();
    assertThat(new String(m.mask(("{\"phones\":[\"" + PHONE + "\",null,13912345678]}").getBytes(StandardCharsets.UTF_8)),
        StandardCharsets.UTF_8)).isEqualTo("{\"phones\":[\"138****8000\",null,\"139****5678\"]}");
    assertThatThrownBy(() -> m.mask(("{\"phones\":\"" + PHONE + "\"}").getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MaskingException.class).extracting(e -> ((MaskingException) e).code()).isEqualTo("SHAPE_MISMATCH");
    assertThatThrownBy(() -> m.mask(("{\"phones\":[[\"" + PHONE + "\"]]}").getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MaskingException.class).extracting(e -> ((MaskingException) e).code()).isEqualTo("SHAPE_MISMATCH");
  }

  /** Found by MaskerFuzzTest: Jackson read zero bytes as UTF-32 and threw an unchecked wrapper of CharConversionException. */
  @Test
  void mask_invalidUtf32_refusedAsInvalidJson() {
    Masker m = fundMasks().build();
    byte[] utf32 = {0x60, 0, 0, 0, 0x5b, 0x74, 0x61, 0x22, 0x3a, 0x7b};
    assertThatThrownBy(() -> m.mask(utf32)).isInstanceOf(MaskingException.class)
        .extracting(e -> ((MaskingException) e).code()).isEqualTo("INVALID_JSON");
    assertThatThrownBy(() -> m.mask(new java.io.ByteArrayInputStream(utf32), new java.io.ByteArrayOutputStream()))
        .isInstanceOf(MaskingException.class);
    // and a byte order Jackson does not support at all, found by the fuzzer on the second run
    byte[] ucs4 = {0, 0, 0x3c, 0};
    assertThatThrownBy(() -> m.mask(ucs4)).isInstanceOf(MaskingException.class)
        .extracting(e -> ((MaskingException) e).code()).isEqualTo("INVALID_JSON");
    assertThatThrownBy(() -> m.mask(new java.io.ByteArrayInputStream(ucs4), new java.io.ByteArrayOutputStream()))
        .isInstanceOf(MaskingException.class);
  }
}
