package io.shulian.hub.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.shulian.core.io.BoundedRead;
import io.shulian.core.policy.Grant;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code shulian hub apply}, {@code shulian hub applications …} and {@code shulian hub objection …}:
 * a department's side of sharing applications and data objections (docs/hub.md). Exit 0 done, 3
 * refused by the hub (bad input, wrong party, illegal transition, grant mismatch), 1 other failure,
 * 2 usage.
 */
final class CaseCommands {
  private static final ObjectMapper JSON = new ObjectMapper();

  private CaseCommands() {}

  static String json(Map<String, Object> m) throws Exception {
    return JSON.writeValueAsString(m);
  }

  /** One request to the hub: the department's client options, a method, a path and maybe a JSON body. */
  abstract static class Req implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;
    @Mixin HubClient client;
    private final String method;
    private final String path;

    Req(String method, String path) {
      this.method = method;
      this.path = path;
    }

    /** The path after the collection, e.g. "/" + id + "/approve"; "" for the collection. */
    String tail() {
      return "";
    }

    @org.jspecify.annotations.Nullable String body() throws Exception {
      return null;
    }

    @Override
    public final Integer call() throws Exception {
      return client.call(spec, method, path + tail(), body());
    }
  }

  /** A request about one case, named by its id: {@code <collection>/<id><suffix>}. */
  abstract static class OnCase extends Req {
    @Parameters(index = "0", description = "the case's id (app-… or obj-…)")
    String id;
    private final String suffix;

    OnCase(String method, String path, String suffix) {
      super(method, path);
      this.suffix = suffix;
    }

    @Override
    final String tail() {
      return "/" + id + suffix;
    }
  }

  /** A command with subcommands only. */
  abstract static class Group implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      throw new CommandLine.ParameterException(spec.commandLine(), "give a subcommand");
    }
  }

  private static final String APPS = "/v1/applications";
  private static final String OBJS = "/v1/objections";

  /** {@code shulian hub apply}. */
  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = "Apply to the resource's provider for a conditional resource (sharing application).")
  static final class Apply extends Req {
    @Option(names = "--resource", required = true, description = "catalog code of a conditional resource")
    String resource;

    @Option(names = "--purpose", required = true, description = "a purpose the catalog allows for it")
    String purpose;

    @Option(names = "--field", required = true, split = ",", description = "fields applied for (repeatable or comma-separated)")
    List<String> fields = new ArrayList<>();

    @Option(names = "--from", required = true, description = "start of the period, ISO-8601 instant")
    String from;

    @Option(names = "--until", required = true, description = "end of the period, ISO-8601 instant")
    String until;

    @Option(names = "--legal-basis", required = true, description = "the law or regulation the use rests on")
    String legalBasis;

    @Option(names = "--max-uses", required = true, description = "how many requests the grant should allow")
    long maxUses;

    Apply() {
      super("POST", APPS);
    }

    @Override
    String body() throws Exception {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("resource", resource);
      m.put("purpose", purpose);
      m.put("fields", fields);
      m.put("from", from);
      m.put("until", until);
      m.put("legalBasis", legalBasis);
      m.put("maxUses", maxUses);
      return json(m);
    }
  }

  /** {@code shulian hub applications}. */
  @Command(name = "applications", mixinStandardHelpOptions = true,
      description = "List, show, approve, decline or withdraw sharing applications, and fetch a grant.",
      subcommands = {Applications.ListCmd.class, Applications.Show.class, Applications.Approve.class,
          Applications.Decline.class, Applications.Withdraw.class, Applications.GrantCmd.class})
  static final class Applications extends Group {
    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the applications this department filed or that are addressed to it.")
    static final class ListCmd extends Req {
      ListCmd() {
        super("GET", APPS);
      }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one application.")
    static final class Show extends OnCase {
      Show() {
        super("GET", APPS, "");
      }
    }

    @Command(name = "approve", mixinStandardHelpOptions = true,
        description = "Approve an application addressed to this department with a grant it issued.")
    static final class Approve extends OnCase {
      @Option(names = "--grant", required = true, description = "the grant (shulian grant issue output)")
      Path grant;

      Approve() {
        super("POST", APPS, "/approve");
      }

      @Override
      String body() throws Exception {
        String token = new String(BoundedRead.file(grant, Grant.MAX_TOKEN_CHARS + 2), StandardCharsets.US_ASCII).strip();
        return json(Map.of("grant", token));
      }
    }

    @Command(name = "decline", mixinStandardHelpOptions = true,
        description = "Decline an application addressed to this department, with a reason.")
    static final class Decline extends OnCase {
      @Option(names = "--reason", required = true, description = "why it is declined (the applicant sees it)")
      String reason;

      Decline() {
        super("POST", APPS, "/decline");
      }

      @Override
      String body() throws Exception {
        return json(Map.of("reason", reason));
      }
    }

    @Command(name = "withdraw", mixinStandardHelpOptions = true,
        description = "Withdraw an application this department filed, before it is answered.")
    static final class Withdraw extends OnCase {
      Withdraw() {
        super("POST", APPS, "/withdraw");
      }
    }

    @Command(name = "grant", mixinStandardHelpOptions = true,
        description = "Print the grant of an approved application (to use at the gateway).")
    static final class GrantCmd extends OnCase {
      GrantCmd() {
        super("GET", APPS, "/grant");
      }
    }
  }

  /** {@code shulian hub objection}. */
  @Command(name = "objection", mixinStandardHelpOptions = true,
      description = "Report a wrong record to its provider, or list, show, answer or withdraw objections.",
      subcommands = {Objection.Submit.class, Objection.ListCmd.class, Objection.Show.class, Objection.Answer.class,
          Objection.Withdraw.class})
  static final class Objection extends Group {
    @Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Report a wrong record of a resource to the resource's provider.")
    static final class Submit extends Req {
      @Option(names = "--resource", required = true, description = "catalog code of the resource")
      String resource;

      @Option(names = "--record", required = true, description = "which record is wrong (a reference the provider can find)")
      String record;

      @Option(names = "--description", required = true, description = "what is wrong with it")
      String description;

      Submit() {
        super("POST", OBJS);
      }

      @Override
      String body() throws Exception {
        return json(Map.of("resource", resource, "record", record, "description", description));
      }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the objections this department filed or that are addressed to it.")
    static final class ListCmd extends Req {
      ListCmd() {
        super("GET", OBJS);
      }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one objection.")
    static final class Show extends OnCase {
      Show() {
        super("GET", OBJS, "");
      }
    }

    @Command(name = "answer", mixinStandardHelpOptions = true,
        description = "Answer an objection addressed to this department: corrected or rejected.")
    static final class Answer extends OnCase {
      @Option(names = "--outcome", required = true, description = "corrected or rejected")
      String outcome;

      @Option(names = "--reason", required = true, description = "what was corrected, or why the record is right")
      String reason;

      Answer() {
        super("POST", OBJS, "/answer");
      }

      @Override
      String body() throws Exception {
        return json(Map.of("outcome", outcome, "reason", reason));
      }
    }

    @Command(name = "withdraw", mixinStandardHelpOptions = true,
        description = "Withdraw an objection this department filed, before it is answered.")
    static final class Withdraw extends OnCase {
      Withdraw() {
        super("POST", OBJS, "/withdraw");
      }
    }
  }
}
