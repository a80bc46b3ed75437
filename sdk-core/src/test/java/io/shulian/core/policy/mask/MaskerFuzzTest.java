package io.shulian.core.policy.mask;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Fuzz target for {@link Masker#mask(byte[])}, the gateway's masking of a backend response: whatever
 * bytes arrive, the masker either refuses them with a {@link MaskingException} or writes valid JSON
 * that masking again leaves unchanged (every mask but {@code hash} is idempotent, and refused shapes
 * never reach the output). Any other exception fails. In a normal build the target replays its
 * seeds under {@code MaskerFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes it (docs/fuzzing.md).
 */
class MaskerFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Masker OPEN = MaskerPropertyTestSupport.masker(false);
  private static final Masker PROJECTED = MaskerPropertyTestSupport.masker(true);

  @FuzzTest(maxDuration = "30s")
  void mask_arbitraryBytes_refusedOrIdempotentJson(byte[] data) throws IOException {
    for (Masker m : new Masker[] {OPEN, PROJECTED}) {
      byte[] out;
      try {
        out = m.mask(data);
      } catch (MaskingException e) {
        assertThat(e.code()).isIn("INVALID_JSON", "JSON_TOO_DEEP", "JSON_TOO_LARGE", "SHAPE_MISMATCH", "ALIASED_FIELD",
            "DUPLICATE_FIELD");
        continue;
      }
      JSON.readTree(out);
      try {
        assertThat(m.mask(out)).isEqualTo(out);
      } catch (MaskingException e) {
        throw new AssertionError("masked output refused on a second pass: " + e.code(), e);
      }
    }
  }

  /**
   * The byte-level fast path against the Jackson path: whenever {@link ByteMasker} answers, the
   * Jackson path must write exactly the same bytes (never refuse what the fast path released).
   */
  @FuzzTest(maxDuration = "30s")
  void byteMasker_arbitraryBytes_agreesWithTheJacksonPathWheneverItAnswers(byte[] data) {
    for (Masker m : new Masker[] {OPEN, PROJECTED}) {
      byte[] fast = ByteMasker.mask(m, data);
      if (fast == null) {
        continue;
      }
      byte[] reference;
      try {
        reference = m.maskWithJackson(data);
      } catch (MaskingException e) {
        throw new AssertionError("the fast path released what the Jackson path refuses: " + e.code(), e);
      }
      assertThat(fast).isEqualTo(reference);
    }
  }

  /** Found by fuzzing: bytes Jackson detects as UTF-32 with a code point above U+10FFFF. */
  @org.junit.jupiter.api.Test
  void mask_bytesDetectedAsUtf32WithInvalidCodePoint_throwsMaskingException() {
    byte[] in = {0, 0, 0, 0x0f, ':', '1', '}', ' ', '{', '"', 'b', '"', ':', '2', '}'};
    for (Masker m : new Masker[] {OPEN, PROJECTED}) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.mask(in))
          .isInstanceOfSatisfying(MaskingException.class, e -> assertThat(e.code()).isEqualTo("INVALID_JSON"));
    }
  }
}
