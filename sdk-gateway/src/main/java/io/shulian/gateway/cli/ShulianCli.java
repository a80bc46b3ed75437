package io.shulian.gateway.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code java -jar shulian.jar}. */
@Command(
    name = "shulian",
    mixinStandardHelpOptions = true,
    versionProvider = ShulianCli.Version.class,
    description = {"Shulian (数联): secure government data exchange.", ""},
    subcommands = {
      KeygenCommand.class,
      SealCommand.class,
      OpenCommand.class,
      CaCommand.class,
      CsrCommand.class,
      BundleCommand.class,
      AuditCommand.class,
      GatewayCommand.class,
      CatalogCommand.class,
      GrantCommand.class,
      PolicyCommand.class,
      MaskCommand.class,
      AssessCommand.class,
      FetchCommand.class,
      PushCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {"", "Exit codes: 0 ok, 1 failure, 2 usage error, 3 rejected (envelope, certificate, bundle, log), 4 policy denied, 5/6/7 assess found medium/high/critical."})
public final class ShulianCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  /**
   * A command another module adds to {@code shulian} (e.g. {@code shulian hub} from sdk-hub, which
   * depends on this module and so cannot be named here). Implementations are picocli commands
   * (annotated with {@code @Command}) listed in {@code META-INF/services}; the shaded shulian.jar
   * merges those files, so the one jar carries every command on the class path.
   */
  public interface Extension {
    /** The command this one is added under, e.g. {@code catalog}; empty (the default) for a top-level command. */
    default String parent() {
      return "";
    }
  }

  /** Creates the command line with Shulian's error handling; tests call this too. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cmd = new CommandLine(new ShulianCli());
    // before setOut/setErr and the handlers, which are passed on to the subcommands present
    for (Extension e : java.util.ServiceLoader.load(Extension.class, ShulianCli.class.getClassLoader())) {
      CommandLine parent = e.parent().isEmpty() ? cmd : cmd.getSubcommands().get(e.parent());
      if (parent == null) {
        throw new IllegalStateException("command extension " + e.getClass().getName() + " names no command '" + e.parent() + "'");
      }
      parent.addSubcommand(e);
    }
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setExecutionExceptionHandler((e, c, parseResult) -> Cli.handle(e, c));
    cmd.setParameterExceptionHandler((e, args) -> Cli.handle(e, e.getCommandLine()));
    return cmd;
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    // before anything logs: the logging configuration reads these properties once
    String bad = LogSettings.apply(args, System.getenv(), System.getProperties());
    if (bad != null) {
      err.println(bad);
      System.exit(ExitCodes.USAGE);
    }
    int code = commandLine(out, err).execute(args);
    System.exit(code);
  }

  /** Prints the project version, which the build filters into {@code version.properties}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"shulian " + projectVersion()};
    }

    /** The Maven project version this CLI was built as. */
    static String projectVersion() {
      return io.shulian.gateway.Gateway.version();
    }
  }
}
