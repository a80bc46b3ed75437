package io.shulian.hub.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.gateway.docs.SourceStatuses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Where docs/hub.md, docs/console.md or docs/security-operations.md state a status with a code
 * ("409 `BUNDLE_NOT_NEWER`") and the hub's sources answer that code with a fixed status
 * ({@code HttpResponseStatus.CONFLICT, "BUNDLE_NOT_NEWER"}, or {@code case "BUNDLE_NOT_NEWER" ->
 * HttpResponseStatus.CONFLICT}), the documented status is one of those.
 */
class DocumentedHubErrorsTest {
  private static final Pattern STATED = Pattern.compile("(?<![\\d.])([1-5]\\d\\d) `?([A-Z][A-Z0-9_]+)`");

  static Map<String, Set<Integer>> hubPairs() throws IOException {
    return SourceStatuses.of(DocumentedCommandsTest.ROOT.resolve("sdk-hub/src/main/java"));
  }

  @Test
  void statusesStatedWithCodes_inTheHubDocs_areTheStatusesTheHubAnswers() throws Exception {
    Map<String, Set<Integer>> pairs = hubPairs();
    assertThat(pairs).as("codes the hub answers with a fixed status").hasSizeGreaterThan(30)
        .containsEntry("NO_BUNDLE", Set.of(404, 409));
    List<String> wrong = new ArrayList<>();
    int checked = 0;
    for (String doc : List.of("docs/hub.md", "docs/console.md", "docs/security-operations.md")) {
      Matcher m = STATED.matcher(Files.readString(DocumentedCommandsTest.ROOT.resolve(doc), StandardCharsets.UTF_8));
      while (m.find()) {
        Set<Integer> answered = pairs.get(m.group(2));
        if (answered != null) {
          checked++;
          if (!answered.contains(Integer.parseInt(m.group(1)))) {
            wrong.add(doc + ": " + m.group() + ", the hub answers " + answered);
          }
        }
      }
    }
    assertThat(checked).as("status and code pairs checked").isGreaterThan(20);
    assertThat(wrong).isEmpty();
  }
}
