package io.shulian.hub.cli;

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

/**
 * {@code shulian hub alerts list|ack|close}: the alerts the hub raised ({@code /v1/admin/alerts}).
 */
@Command(name = "alerts", mixinStandardHelpOptions = true,
    description = {
      "List, acknowledge or close the hub's alerts.",
      "list: any operator; ack and close: role security-officer, recorded in the hub's audit log.",
      "list [--state open|acknowledged|closed] prints {\"alerts\":[…]} (newest first, at most 500); ack <id> --note …"
          + " and close <id> --note … print the alert. Exit 0 done, 3 refused (not found, already closed or"
          + " acknowledged, bad note), 1 other failure (401, 403, hub down), 2 usage."
    })
final class AlertsCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", description = "list, ack or close")
  String verb;

  @Parameters(index = "1", arity = "0..1", description = "the alert id (ack, close)")
  String id;

  @Option(names = "--note", description = "what was done or found (1-500 characters); required for ack and close")
  String note;

  @Option(names = "--state", description = "list only alerts in this state: open, acknowledged or closed")
  String state;

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
    HttpRequest.Builder rb;
    switch (verb) {
      case "list":
        if (state != null && !state.matches("open|acknowledged|closed")) {
          throw new CommandLine.ParameterException(spec.commandLine(), "--state is open, acknowledged or closed");
        }
        rb = HttpRequest.newBuilder(hub.resolve("/v1/admin/alerts" + (state == null ? "" : "?state=" + state))).GET();
        break;
      case "ack":
      case "close":
        if (id == null || !id.matches("[1-9][0-9]{0,17}") || note == null) {
          throw new CommandLine.ParameterException(spec.commandLine(), verb + " takes the alert id (a number) and --note");
        }
        String body = JsonNodeFactory.instance.objectNode().put("note", note).toString();
        rb = HttpRequest.newBuilder(hub.resolve("/v1/admin/alerts/" + id + (verb.equals("ack") ? "/acknowledge" : "/close")))
            .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        break;
      default:
        throw new CommandLine.ParameterException(spec.commandLine(), "unknown verb '" + verb + "' (list, ack, close)");
    }
    String token = tokenOptions.token(spec);
    HttpClient http = HubCommand.client(root, io.shulian.core.io.BoundedRead.file(bundle,
        io.shulian.core.trust.CityBundle.MAX_BUNDLE_BYTES));
    HttpResponse<String> r = http.send(rb.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 200) {
      PrintWriter out = spec.commandLine().getOut();
      out.println(r.body());
      out.flush();
      return 0;
    }
    PrintWriter err = spec.commandLine().getErr();
    err.println("hub alerts " + verb + ": refused (" + r.statusCode() + "): " + r.body());
    err.flush();
    int s = r.statusCode();
    return s == 400 || s == 404 || s == 409 ? 3 : 1;
  }
}
