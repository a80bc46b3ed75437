package io.shulian.core.policy.mask;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fuzz target for {@link Masker#mask(byte[])} with a fixed set of masks (every function, nested
 * and array paths): whatever bytes a provider returns, the masker throws a
 * {@link MaskingException} or writes one well-formed JSON value; any other exception, a hang or an
 * out-of-memory fails. A normal build replays the seeds in {@code MaskerFuzzTestInputs/};
 * {@code JAZZER_FUZZ=1} fuzzes it (docs/fuzzing.md).
 */
class MaskerFuzzTest {
  private static final Masker MASKER = Masker.builder()
      .field("applicant.name", MaskSpec.of(MaskFunction.NAME))
      .field("applicant.idNumber", MaskSpec.of(MaskFunction.ID_NUMBER))
      .field("applicant.phone", MaskSpec.parse("partial", Map.of("keepFirst", "2", "keepLast", "1", "maskChar", "#")))
      .field("members[].phone", MaskSpec.of(MaskFunction.PHONE))
      .field("members[].secret", MaskSpec.of(MaskFunction.DROP))
      .field("members[].card", MaskSpec.of(MaskFunction.BANK_CARD))
      .field("owner.idNumber", MaskSpec.parse("hash", Map.of("algorithm", "hmac-sm3")))
      .field("hashed", MaskSpec.of(MaskFunction.HASH))
      .field("address", MaskSpec.of(MaskFunction.ADDRESS))
      .field("dropped", MaskSpec.of(MaskFunction.DROP))
      .field("kept", MaskSpec.of(MaskFunction.NONE))
      .field("rows[].cells[].v", MaskSpec.of(MaskFunction.PARTIAL))
      .hashKey("fuzz-test-only-hash-key".getBytes(StandardCharsets.US_ASCII))
      .build();
  /** Reads the output back: one JSON value, no trailing data, nesting up to the masker's limit. */
  private static final JsonFactory STRICT = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(Masker.DEFAULT_MAX_DEPTH + 1).build())
      .build();

  /** The seed record masks to JSON, so the seeds reach every mask function. */
  @Test
  void seed_record_masksEveryFunction() throws Exception {
    byte[] in = io.shulian.core.testing.FuzzSeeds.of(getClass(), "mask_arbitraryBytes_throwsMaskingExceptionOrWritesJson")
        .get("record.json");
    String out = new String(MASKER.mask(in), StandardCharsets.UTF_8);
    org.assertj.core.api.Assertions.assertThat(out).contains("139****5678", "138****0000", "张**", "\"kept\":\"值\"")
        .doesNotContain("\"secret\"", "\"dropped\"", "6222020200112233445", "440602198001011234");
    mask_arbitraryBytes_throwsMaskingExceptionOrWritesJson(in);
  }

  /**
   * Found by this target: four bytes that look like a UTF-32 byte order (00 00 00 0f) make Jackson
   * decode UTF-32, and a code point above U+10FFFF then came out as an IllegalStateException.
   */
  @Test
  void mask_bytesDetectedAsUtf32WithInvalidCodePoint_throwsMaskingException() {
    byte[] in = {0, 0, 0, 0x0f, ':', '1', '}', ' ', '{', '"', 'b', '"', ':', '2', '}'};
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> MASKER.mask(in))
        .isInstanceOfSatisfying(MaskingException.class, e -> org.assertj.core.api.Assertions.assertThat(e.code())
            .isEqualTo("INVALID_JSON"));
  }

  @FuzzTest(maxDuration = "30s")
  void mask_arbitraryBytes_throwsMaskingExceptionOrWritesJson(byte[] data) {
    byte[] out;
    try {
      out = MASKER.mask(data);
    } catch (MaskingException expected) {
      return;
    }
    try (JsonParser p = STRICT.createParser(out)) {
      if (p.nextToken() == null) {
        throw new AssertionError("the masker wrote nothing for " + data.length + " bytes of input");
      }
      p.skipChildren();
      if (p.nextToken() != null) {
        throw new AssertionError("the masker wrote more than one JSON value");
      }
    } catch (IOException e) {
      throw new AssertionError("the masker wrote invalid JSON: " + e.getMessage(), e);
    }
  }
}
