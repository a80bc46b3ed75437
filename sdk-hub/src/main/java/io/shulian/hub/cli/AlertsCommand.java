package io.shulian.hub.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
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

  @CommandLine.Mixin OperatorClient client;

  @Override
  public Integer call() throws Exception {
    switch (verb) {
      case "list":
        if (state != null && !state.matches("open|acknowledged|closed")) {
          throw new CommandLine.ParameterException(spec.commandLine(), "--state is open, acknowledged or closed");
        }
        return client.call(spec, "GET", "/v1/admin/alerts" + (state == null ? "" : "?state=" + state), null);
      case "ack":
      case "close":
        if (id == null || !id.matches("[1-9][0-9]{0,17}") || note == null) {
          throw new CommandLine.ParameterException(spec.commandLine(), verb + " takes the alert id (a number) and --note");
        }
        return client.call(spec, "POST", "/v1/admin/alerts/" + id + (verb.equals("ack") ? "/acknowledge" : "/close"),
            JsonNodeFactory.instance.objectNode().put("note", note).toString());
      default:
        throw new CommandLine.ParameterException(spec.commandLine(), "unknown verb '" + verb + "' (list, ack, close)");
    }
  }
}
