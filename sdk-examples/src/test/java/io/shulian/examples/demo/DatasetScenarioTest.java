package io.shulian.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The app-side check of the return-flow data set finds what the masking should have removed. */
class DatasetScenarioTest {
  private static final String MASKED =
      "{\"seq\":%d,\"person\":{\"name\":\"陈*\",\"idNumber\":\"440604********1234\",\"address\":\"广东省佛山市禅城区****\"},\"enrolled\":true}\n";

  private static DatasetScenario.RecordChecker check(String data, int pieceSize) throws Exception {
    DatasetScenario.RecordChecker c = new DatasetScenario.RecordChecker();
    byte[] b = data.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < b.length; i += pieceSize) {
      c.write(b, i, Math.min(pieceSize, b.length - i));
    }
    c.finish();
    return c;
  }

  @Test
  void recordChecker_maskedRecordsInPiecesAcrossLines_accepted() throws Exception {
    DatasetScenario.RecordChecker c = check(MASKED.formatted(1) + MASKED.formatted(2) + MASKED.formatted(3), 7);
    assertThat(c.problems).isEmpty();
    assertThat(c.records).isEqualTo(3);
    assertThat(c.sampleId).isEqualTo("440604********1234");
  }

  @Test
  void recordChecker_pensionAmountNotDropped_reported() throws Exception {
    String leaked = MASKED.formatted(2).replace("\"enrolled\":true}", "\"enrolled\":true,\"monthlyPension\":2345.67}");
    assertThat(check(MASKED.formatted(1) + leaked, 64).problems).singleElement().asString().startsWith("record 2 ");
  }

  @Test
  void recordChecker_idNumberInClear_reported() throws Exception {
    assertThat(check(MASKED.formatted(1).replace("********", "19900101"), 64).problems).hasSize(1);
  }

  @Test
  void recordChecker_recordMissing_sequenceGapReported() throws Exception {
    assertThat(check(MASKED.formatted(1) + MASKED.formatted(3), 64).problems).hasSize(1);
  }

  @Test
  void recordChecker_endsInsideARecord_reported() throws Exception {
    assertThat(check(MASKED.formatted(1) + "{\"seq\":2", 64).problems).containsExactly("the data set ends inside a record");
  }
}
