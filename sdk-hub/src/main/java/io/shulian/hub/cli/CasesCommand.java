package io.shulian.hub.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code shulian hub cases}: every department's applications and objections, for the bureau's operators. */
@Command(name = "cases", mixinStandardHelpOptions = true,
    description = {
      "List every department's applications and objections, with their overdue flags (operators).",
      "Any operator (reviewer or security-officer); oldest first, at most 1000 of each kind (GET /v1/admin/cases).",
      "Exit 0 listed (prints the JSON), 3 refused (a bad --state or --kind), 1 other failure (401, hub down), 2 usage."
    })
final class CasesCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--state", description = "only cases in this state: submitted, approved, declined, withdrawn, expired, "
      + "corrected, rejected")
  String state;

  @Option(names = "--kind", description = "application or objection (default both)")
  String kind;

  @Option(names = "--overdue", description = "only cases still submitted past applications.responseDeadline")
  boolean overdue;

  @Mixin OperatorClient client;

  @Override
  public Integer call() throws Exception {
    List<String> q = new ArrayList<>();
    if (state != null) {
      q.add("state=" + URLEncoder.encode(state, StandardCharsets.UTF_8));
    }
    if (kind != null) {
      q.add("kind=" + URLEncoder.encode(kind, StandardCharsets.UTF_8));
    }
    if (overdue) {
      q.add("overdue=true");
    }
    return client.call(spec, "GET", "/v1/admin/cases" + (q.isEmpty() ? "" : "?" + String.join("&", q)), null);
  }
}
