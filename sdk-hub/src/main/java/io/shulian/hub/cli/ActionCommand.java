package io.shulian.hub.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

  @CommandLine.Mixin OperatorClient client;

  @Override
  public Integer call() throws Exception {
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
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    if (list) {
      return client.call(spec, "GET", "/v1/admin/actions", null);
    }
    if (lift) {
      body.put("reason", reason);
      return client.call(spec, "DELETE", "/v1/admin/actions/" + target, body.toString());
    }
    body.put("kind", verb).put("target", target).put("reason", reason);
    if (suite != null) {
      body.put("suite", suite);
    }
    return client.call(spec, "POST", "/v1/admin/actions", body.toString());
  }
}
