package io.shulian.core.policy.mask;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Numbers no mask applies to are copied exactly as written. */
class MaskerNumberTest {
  static final String NUMBERS = "\"balance\":12345678901234567.89,\"big\":1e400,\"tiny\":1.5E-400,\"negZero\":-0,"
      + "\"negZeroF\":-0.0,\"huge\":123456789012345678901234567890,\"exp\":6.02214076e+23,\"plain\":0.1,"
      + "\"arr\":[1e400,-0,9007199254740993],\"nested\":{\"x\":100000000000000000000000.000000000000000001}";

  static String mask(Masker m, String json) throws MaskingException {
    return new String(m.mask(json.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
  }

  @Test
  void mask_unmaskedNumbersBesideAMaskedField_copiedVerbatim() throws Exception {
    Masker m = Masker.builder().field("applicant.name", MaskSpec.of(MaskFunction.NAME)).build();
    String out = mask(m, "{\"applicant\":{\"name\":\"张三\"}," + NUMBERS + "}");
    assertThat(out).isEqualTo("{\"applicant\":{\"name\":\"张*\"}," + NUMBERS + "}");
  }

  @Test
  void mask_unmaskedNumbersInTopLevelArray_copiedVerbatim() throws Exception {
    Masker m = Masker.builder().field("name", MaskSpec.of(MaskFunction.NAME)).build();
    String out = mask(m, "[{" + NUMBERS + "},{\"name\":\"张三\"," + NUMBERS + "}]");
    assertThat(out).isEqualTo("[{" + NUMBERS + "},{\"name\":\"张*\"," + NUMBERS + "}]");
  }

  @Test
  void mask_noMasks_numbersCopiedVerbatim() throws Exception {
    Masker m = Masker.builder().build();
    assertThat(mask(m, "{" + NUMBERS + "}")).isEqualTo("{" + NUMBERS + "}");
    assertThat(mask(m, "[1e400,-0,12345678901234567.89]")).isEqualTo("[1e400,-0,12345678901234567.89]");
  }

  @Test
  void mask_maskedNumber_maskedOnItsText() throws Exception {
    Masker m = Masker.builder().field("card", MaskSpec.of(MaskFunction.BANK_CARD)).build();
    assertThat(mask(m, "{\"card\":6222020200112233445}")).isEqualTo("{\"card\":\"6222***********3445\"}");
    assertThat(mask(m, "{\"card\":1e400}")).isEqualTo("{\"card\":\"1***0\"}");
  }
}
