package io.shulian.hub.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code shulian hub review list|diff|approve|reject}: the bureau's review of catalog submissions. */
@Command(name = "review", mixinStandardHelpOptions = true,
    description = {
      "Review catalog submissions on the hub (role reviewer or security-officer).",
      "list: every submission, pending first (JSON). diff <id>: what the submission changes in the catalog published "
          + "now (or why it cannot be applied) and the security findings of the bundle approval would publish. approve <id>: publish a new bundle with the change at once. "
          + "reject <id> --reason: refuse it. Exit 0 done, 3 refused (unknown id, already decided, stale, invalid), "
          + "1 other failure (401, 403, hub down), 2 usage."
    })
final class ReviewCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", description = "list, diff, approve or reject")
  String verb;

  @Parameters(index = "1", arity = "0..1", description = "the submission id (sub-…); not for list")
  String id;

  @Option(names = "--reason", description = "why it is rejected (1-2000 characters; the department sees it)")
  String reason;

  @CommandLine.Mixin OperatorClient client;

  @Override
  public Integer call() throws Exception {
    boolean list = verb.equals("list");
    if (!list && !java.util.Set.of("diff", "approve", "reject").contains(verb)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "unknown verb '" + verb + "' (list, diff, approve, reject)");
    }
    if (!list && (id == null || !id.matches("sub-[0-9a-f-]{36}"))) {
      throw new CommandLine.ParameterException(spec.commandLine(), verb + " takes a submission id (sub-…)");
    }
    if (verb.equals("reject") && (reason == null || reason.isBlank())) {
      throw new CommandLine.ParameterException(spec.commandLine(), "reject needs --reason");
    }
    HttpResponse<String> r;
    switch (verb) {
      case "list":
        r = client.send(spec, "GET", "/v1/admin/reviews", null);
        break;
      case "diff":
        r = client.send(spec, "GET", "/v1/admin/reviews/" + id, null);
        break;
      case "approve":
        r = client.send(spec, "POST", "/v1/admin/reviews/" + id + "/approve", null);
        break;
      default:
        r = client.send(spec, "POST", "/v1/admin/reviews/" + id + "/reject",
            JsonNodeFactory.instance.objectNode().put("reason", reason).toString());
    }
    if (r.statusCode() == 200 && verb.equals("diff")) {
      PrintWriter out = spec.commandLine().getOut();
      printDiff(out, new ObjectMapper().readTree(r.body()));
      out.flush();
      return 0;
    }
    return HubClient.answer(spec, r, false);
  }

  /** The diff as {@code catalog diff} prints it, then why it cannot be approved now, if so. */
  private static void printDiff(PrintWriter out, JsonNode s) {
    out.println(s.path("id").asText() + ": " + s.path("action").asText() + " " + s.path("resource").asText() + " by "
        + s.path("party").asText() + ", " + s.path("state").asText());
    for (JsonNode c : s.path("diff")) {
      out.println(c.path("text").asText());
    }
    for (JsonNode p : s.path("problems")) {
      out.println("! " + p.path("code").asText() + ": " + p.path("message").asText());
    }
    JsonNode a = s.path("assessment");
    if (a.isObject()) {
      JsonNode findings = a.path("findings");
      out.println("assessment of the bundle approval would publish: " + (findings.isEmpty() ? "no findings"
          : findings.size() + " finding(s), worst " + a.path("worst").asText()));
      for (JsonNode f : findings) {
        out.println("  [" + f.path("severity").asText() + "] " + f.path("kind").asText() + " " + f.path("objectKind").asText()
            + " " + f.path("object").asText() + ": " + f.path("message").asText());
        out.println("      fix: " + f.path("fix").asText());
      }
    }
  }
}
