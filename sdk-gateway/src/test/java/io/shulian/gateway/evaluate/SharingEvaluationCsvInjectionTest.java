package io.shulian.gateway.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.catalog.Catalog;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import java.nio.charset.StandardCharsets;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Department names reach {@code shulian evaluate}'s CSV (and the console's export of the same cells):
 * a name a spreadsheet would run as a formula is written as text ({@code '} first), including the
 * tab- and carriage-return-led forms OWASP lists (a spreadsheet drops the leading blank and runs the rest).
 */
class SharingEvaluationCsvInjectionTest {
  static final PartyId PROVIDER = PartyId.of("440604", CreditCode.withCheckCharacter("11440604MB2C0002A"), null);

  @ParameterizedTest
  @ValueSource(strings = {"=HYPERLINK(\"http://x/\")", "+1+cmd|' /C calc'!A0", "-1+1", "@SUM(A1)",
      "\t=HYPERLINK(\"http://x/\")", "\r=1+1", "\t@SUM(A1)"})
  void departmentNameAFormula_writtenAsText(String name) throws Exception {
    Catalog c = Catalog.parse("catalog.yaml", ("""
        version: "csv-1"
        purposes: [{code: review, name: Review}]
        resources:
          - {code: registry, name: Registry, provider: %s, updateCycle: daily, sharing: {type: unconditional},
             purposes: [review], fields: [{name: area, type: number, classification: general}]}
        """.formatted(PROVIDER)).getBytes(StandardCharsets.UTF_8));
    SharingEvaluation ev = SharingEvaluation.compute(c, Map.of(PROVIDER.organisation().toString(), name), List.of(),
        null, YearMonth.of(2026, 12), ZoneId.of("Asia/Shanghai"));

    String csv = ev.toCsv();

    assertThat(csv).contains("'" + name.replace("\"", "\"\""));
    assertThat(ev.table().get(0).get(2)).isEqualTo(name); // the page shows the name itself (as text)
  }
}
