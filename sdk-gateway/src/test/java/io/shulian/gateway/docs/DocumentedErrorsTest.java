package io.shulian.gateway.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The error table of docs/gateway.md ("| status | codes | when |") and the problems the gateway's
 * sources answer with a fixed status ({@code HttpResponseStatus.X, "CODE"}) agree: every such code
 * is in the table, under the status the code answers with. Codes the table lists that no source
 * pairs with a fixed status (policy reasons from the engine, a backend's own status) are checked by
 * the end-to-end tests only.
 */
class DocumentedErrorsTest {
  /** A code in the table, optionally with its own status: {@code `NOT_FRAMED` (415)}. */
  private static final Pattern CODE = Pattern.compile("`([A-Z][A-Z0-9_]+)`(?: \\((\\d{3})\\))?");

  /** Code → statuses the gateway's main sources answer it with. */
  static Map<String, Set<Integer>> sourcePairs() throws IOException {
    return SourceStatuses.of(DocumentedPartyIdsTest.ROOT.resolve("sdk-gateway/src/main/java"));
  }

  /** Code → statuses the table of docs/gateway.md documents it under ("4xx" rows count as every 4xx). */
  static Map<String, Set<String>> documented() throws IOException {
    String doc = Files.readString(DocumentedPartyIdsTest.ROOT.resolve("docs/gateway.md"), StandardCharsets.UTF_8);
    int start = doc.indexOf("| status | codes | when |");
    assertThat(start).as("docs/gateway.md has the error table").isPositive();
    Map<String, Set<String>> out = new TreeMap<>();
    for (String row : doc.substring(start).lines().skip(2).takeWhile(l -> l.startsWith("|")).toList()) {
      String[] cells = row.split("\\|");
      Matcher m = CODE.matcher(cells[2]);
      while (m.find()) {
        out.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2) != null ? m.group(2) : cells[1].strip());
      }
    }
    return out;
  }

  private static boolean covers(String documentedStatus, int status) {
    for (String s : documentedStatus.split("/")) {
      if (s.equals(Integer.toString(status)) || s.endsWith("xx") && s.charAt(0) == Integer.toString(status).charAt(0)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void gatewayMdErrorTable_listsEveryFixedStatusProblem_underItsStatus() throws Exception {
    Map<String, Set<Integer>> pairs = sourcePairs();
    assertThat(pairs).as("problems with a fixed status in the sources").hasSizeGreaterThan(40)
        .containsEntry("REPLAYED", Set.of(409));
    Map<String, Set<String>> documented = documented();
    Map<String, String> wrong = new TreeMap<>();
    pairs.forEach((code, statuses) -> {
      Set<String> doc = documented.get(code);
      if (doc == null) {
        wrong.put(code, "answered with " + statuses + ", not in the table");
        return;
      }
      for (int s : statuses) {
        if (doc.stream().noneMatch(d -> covers(d, s))) {
          wrong.put(code, "answered with " + s + ", documented under " + doc);
        }
      }
    });
    assertThat(wrong).as("docs/gateway.md \"Errors\" table vs the sources").isEmpty();
  }

  /**
   * Elsewhere in the gateway's docs a status stated with a code ("503 `STATE_UNAVAILABLE`") is a
   * status the gateway answers that code with, where its sources fix one.
   */
  @Test
  void statusesStatedWithCodes_inTheGatewayDocs_areTheStatusesTheGatewayAnswers() throws Exception {
    Map<String, Set<Integer>> pairs = sourcePairs();
    Pattern stated = Pattern.compile("(?<![\\d.])([1-5]\\d\\d) `?([A-Z][A-Z0-9_]+)`");
    Map<String, String> wrong = new TreeMap<>();
    int checked = 0;
    for (String doc : java.util.List.of("docs/gateway.md", "docs/return-flow.md", "docs/scale-out.md", "docs/operations.md",
        "docs/security-model.md", "docs/tracing.md", "docs/catalog-and-policy.md", "docs/developer-guide.md")) {
      Matcher m = stated.matcher(Files.readString(DocumentedPartyIdsTest.ROOT.resolve(doc), StandardCharsets.UTF_8));
      while (m.find()) {
        Set<Integer> answered = pairs.get(m.group(2));
        if (answered != null) {
          checked++;
          if (!answered.contains(Integer.parseInt(m.group(1)))) {
            wrong.put(doc + ": " + m.group(), "the gateway answers " + answered);
          }
        }
      }
    }
    assertThat(checked).as("status and code pairs checked").isGreaterThan(10);
    assertThat(wrong).isEmpty();
  }

  @Test
  void covers_matchesExactAndClassStatuses() {
    assertThat(covers("409", 409)).isTrue();
    assertThat(covers("4xx/5xx", 502)).isTrue();
    assertThat(covers("4xx", 502)).isFalse();
    assertThat(covers("400", 409)).isFalse();
  }
}
