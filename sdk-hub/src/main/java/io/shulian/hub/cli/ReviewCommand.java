package io.shulian.hub.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
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
          + "now (or why it cannot be applied). approve <id>: publish a new bundle with the change at once. "
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

  @Option(names = "--hub", required = true, description = "the hub's base URL, https://host:port")
  URI hub;

  @Option(names = "--root", required = true, description = "the city root (PEM) the hub's TLS certificate must chain to")
  Path root;

  @Option(names = "--bundle", required = true,
      description = "a city bundle you hold (e.g. a gateway's last good one); the hub's certificate must not be revoked in it")
  Path bundle;

  @CommandLine.Mixin HubCommand.TokenOptions tokenOptions;

  @Override
  public Integer call() throws Exception {
    if (!"https".equals(hub.getScheme()) || hub.getHost() == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--hub must be an https:// URL");
    }
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
    String token = tokenOptions.token(spec);
    HttpClient http = HubCommand.client(root, io.shulian.core.io.BoundedRead.file(bundle,
        io.shulian.core.trust.CityBundle.MAX_BUNDLE_BYTES));
    HttpRequest.Builder rb;
    switch (verb) {
      case "list":
        rb = HttpRequest.newBuilder(hub.resolve("/v1/admin/reviews")).GET();
        break;
      case "diff":
        rb = HttpRequest.newBuilder(hub.resolve("/v1/admin/reviews/" + id)).GET();
        break;
      case "approve":
        rb = HttpRequest.newBuilder(hub.resolve("/v1/admin/reviews/" + id + "/approve")).POST(HttpRequest.BodyPublishers.noBody());
        break;
      default:
        rb = HttpRequest.newBuilder(hub.resolve("/v1/admin/reviews/" + id + "/reject"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JsonNodeFactory.instance.objectNode().put("reason", reason).toString()));
    }
    HttpResponse<String> r = http.send(rb.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 200) {
      PrintWriter out = spec.commandLine().getOut();
      if (verb.equals("diff")) {
        printDiff(out, new ObjectMapper().readTree(r.body()));
      } else {
        out.println(r.body());
      }
      out.flush();
      return 0;
    }
    PrintWriter err = spec.commandLine().getErr();
    err.println("hub review " + verb + ": refused (" + r.statusCode() + "): " + r.body());
    err.flush();
    int s = r.statusCode();
    return s == 400 || s == 404 || s == 409 || s == 422 ? 3 : 1;
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
  }
}
