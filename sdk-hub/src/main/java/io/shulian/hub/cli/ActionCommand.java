package io.shulian.hub.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * {@code shulian hub action suspend-party|freeze-resource|revoke-grant|revoke-cert|lift|list}: the
 * bureau's incident actions through the hub's API ({@code /v1/admin/actions}).
 */
@Command(name = "action", mixinStandardHelpOptions = true,
    description = {
      "Take, lift or list incident actions on the hub (role security-officer; list: any operator).",
      "suspend-party <party id>, freeze-resource <resource id>, revoke-grant <issuer>#<grant id>, revoke-cert "
          + "<serial hex> each publish an emergency bundle at once; lift <action id> undoes one (not revoke-cert). "
          + "Exit 0 done (prints the action as JSON), 3 refused (bad input, already in force, not liftable), "
          + "1 other failure (401, 403, hub down), 2 usage."
    })
final class ActionCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", description = "suspend-party, freeze-resource, revoke-grant, revoke-cert, lift or list")
  String verb;

  @Parameters(index = "1", arity = "0..1", description = "the target (or the action id for lift)")
  String target;

  @Option(names = "--reason", description = "why (1-200 characters); required except for list")
  String reason;

  @Option(names = "--suite", description = "intl or gm (default: the hub's own suite)")
  String suite;

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
    boolean lift = verb.equals("lift");
    if (!list && !lift && !java.util.Set.of("suspend-party", "freeze-resource", "revoke-grant", "revoke-cert").contains(verb)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "unknown action '" + verb
          + "' (suspend-party, freeze-resource, revoke-grant, revoke-cert, lift, list)");
    }
    if (!list && (target == null || reason == null)) {
      throw new CommandLine.ParameterException(spec.commandLine(), verb + " needs a target and --reason");
    }
    if (lift && !target.matches("[1-9][0-9]{0,17}")) {
      throw new CommandLine.ParameterException(spec.commandLine(), "lift takes the action id (a number)");
    }
    String token = tokenOptions.token(spec);
    HttpClient http = HubCommand.client(root, io.shulian.core.io.BoundedRead.file(bundle,
        io.shulian.core.trust.CityBundle.MAX_BUNDLE_BYTES));
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    HttpRequest.Builder rb;
    if (list) {
      rb = HttpRequest.newBuilder(hub.resolve("/v1/admin/actions")).GET();
    } else if (lift) {
      body.put("reason", reason);
      rb = HttpRequest.newBuilder(hub.resolve("/v1/admin/actions/" + target))
          .method("DELETE", HttpRequest.BodyPublishers.ofString(body.toString()));
    } else {
      body.put("kind", verb).put("target", target).put("reason", reason);
      if (suite != null) {
        body.put("suite", suite);
      }
      rb = HttpRequest.newBuilder(hub.resolve("/v1/admin/actions")).POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    }
    HttpResponse<String> r = http.send(rb.header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 200 || r.statusCode() == 201) {
      PrintWriter out = spec.commandLine().getOut();
      out.println(r.body());
      out.flush();
      return 0;
    }
    PrintWriter err = spec.commandLine().getErr();
    err.println("hub action " + verb + ": refused (" + r.statusCode() + "): " + r.body());
    err.flush();
    int s = r.statusCode();
    return s == 400 || s == 404 || s == 409 || s == 422 ? 3 : 1;
  }
}
