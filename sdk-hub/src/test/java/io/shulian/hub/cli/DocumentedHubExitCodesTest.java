package io.shulian.hub.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.gateway.cli.ExitCodes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/hub.md's exit codes of the operator and department commands ("3 refused (400, 404, …), 1
 * other failure (401, 403, 503, …)", "the department commands also count 403 … as refused") are
 * what {@link HubClient#exitCode} maps each status to.
 */
class DocumentedHubExitCodesTest {
  private static List<Integer> statuses(String list) {
    List<Integer> out = new ArrayList<>();
    Matcher n = Pattern.compile("\\b[1-5]\\d\\d\\b").matcher(list);
    while (n.find()) {
      out.add(Integer.parseInt(n.group()));
    }
    return out;
  }

  @Test
  void hubMd_exitCodesOfStatuses_areHubClientExitCode() throws Exception {
    String doc = Files.readString(Path.of("..").toAbsolutePath().normalize().resolve("docs/hub.md"), StandardCharsets.UTF_8)
        .replaceAll("\\s+", " ");
    Matcher m = Pattern.compile("3 refused \\(([^:]*):.*?\\), 1 other failure \\(([^)]*)\\)").matcher(doc);
    assertThat(m.find()).as("docs/hub.md states the hub commands' exit codes").isTrue();
    List<Integer> refused = statuses(m.group(1));
    List<Integer> failed = statuses(m.group(2));
    assertThat(refused).isNotEmpty();
    assertThat(failed).contains(403);
    for (int s : refused) {
      assertThat(HubClient.exitCode(s, false)).as("operator command, status %d", s).isEqualTo(ExitCodes.REJECTED);
      assertThat(HubClient.exitCode(s, true)).as("department command, status %d", s).isEqualTo(ExitCodes.REJECTED);
    }
    for (int s : failed) {
      assertThat(HubClient.exitCode(s, false)).as("operator command, status %d", s).isEqualTo(ExitCodes.FAILURE);
    }
    assertThat(doc).contains("the department commands also count 403");
    assertThat(HubClient.exitCode(403, true)).isEqualTo(ExitCodes.REJECTED);
  }
}
