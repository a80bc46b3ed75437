package io.shulian.gateway.cli;

import io.shulian.core.ShulianException;
import io.shulian.core.envelope.EnvelopeException;
import io.shulian.core.io.BoundedRead;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.TrustException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Parsing helpers and the mapping from failures to messages and exit codes. */
final class Cli {

  private Cli() {}

  static CommandLine.ParameterException usage(CommandSpec spec, String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  static Suite suite(CommandSpec spec, String s) {
    switch (s.toLowerCase(Locale.ROOT)) {
      case "intl":
        return Suite.INTL;
      case "gm":
        return Suite.GM;
      default:
        throw usage(spec, "--suite must be intl or gm, got '" + s + "'");
    }
  }

  static PartyId partyId(CommandSpec spec, String s, String option) {
    try {
      return PartyId.parse(s);
    } catch (IllegalArgumentException e) {
      throw usage(spec, option + ": " + e.getMessage());
    }
  }

  /** Parses 500ms, 30s, 5m, 2h, 7d. */
  static Duration duration(CommandSpec spec, String s, String option) {
    Duration d = io.shulian.gateway.config.ConfigLoader.duration(s);
    if (d == null) {
      throw usage(spec, option + " must be a number with a unit (ms, s, m, h, d), e.g. 5m; got '" + s + "'");
    }
    return d;
  }

  /** Formats a duration in the units {@link #duration} reads: 24h, 90s, 1500ms. */
  static String formatDuration(Duration d) {
    long ms = d.toMillis();
    long[] units = {3_600_000L, 60_000L, 1000L};
    String[] names = {"h", "m", "s"};
    for (int i = 0; i < units.length; i++) {
      if (ms != 0 && ms % units[i] == 0) {
        return ms / units[i] + names[i];
      }
    }
    return ms + "ms";
  }

  /**
   * The app's API key for a gateway call: the first line of {@code file} if given, else the
   * environment variable {@code env}; a usage error (never showing the key) if there is none.
   */
  static String apiKey(CommandSpec spec, java.nio.file.@org.jspecify.annotations.Nullable Path file, String env) {
    String key;
    if (file != null) {
      try {
        // a key file is small: never read more than a secret file may hold
        byte[] b = CliSupport.readFile(file, CliSupport.MAX_SECRET_FILE_BYTES);
        key = new String(b, java.nio.charset.StandardCharsets.UTF_8).lines().findFirst().orElse("").trim();
      } catch (BoundedRead.TooLargeException e) {
        throw usage(spec, "--api-key-file: " + file + " is too large for an API key (more than "
            + CliSupport.MAX_SECRET_FILE_BYTES + " bytes)");
      } catch (IOException e) {
        throw usage(spec, "--api-key-file: cannot read " + file);
      }
      if (key.isEmpty()) {
        throw usage(spec, "--api-key-file: " + file + " holds no API key");
      }
      return key;
    }
    key = System.getenv(env);
    if (key == null || key.isEmpty()) {
      throw usage(spec, "the environment variable " + env + " (--api-key-env) holds no API key");
    }
    return key;
  }

  /** The app listener of a gateway, {@code http://host:port} (a usage error otherwise). */
  static java.net.URI appGateway(CommandSpec spec, String gateway) {
    java.net.URI base;
    try {
      base = java.net.URI.create(gateway);
    } catch (IllegalArgumentException e) {
      throw usage(spec, "--gateway: not a URL: " + e.getMessage());
    }
    if (!"http".equals(base.getScheme()) || base.getHost() == null) {
      throw usage(spec, "--gateway must be http://host:port (the gateway's app listener)");
    }
    return base;
  }

  /** Maps an exception thrown by a command to a one-line message and an exit code; no stack trace. */
  static int handle(Exception e, CommandLine cmd) {
    String name = cmd.getCommandSpec().qualifiedName().replaceFirst("^shulian ", "");
    if (e instanceof CommandLine.ParameterException) {
      cmd.getErr().println("shulian " + name + ": " + e.getMessage());
      cmd.getErr().println("Try 'shulian " + name + " --help'.");
      cmd.getErr().flush();
      return ExitCodes.USAGE;
    }
    int code;
    String msg;
    if (e instanceof EnvelopeException) {
      code = ExitCodes.REJECTED;
      msg = "envelope rejected (" + ((ShulianException) e).code() + "): " + e.getMessage();
    } else if (e instanceof TrustException) {
      code = ExitCodes.REJECTED;
      msg = "not trusted (" + ((ShulianException) e).code() + "): " + e.getMessage();
    } else if (e instanceof io.shulian.core.trust.BundleException) {
      code = ExitCodes.REJECTED;
      msg = "bundle rejected (" + ((ShulianException) e).code() + "): " + e.getMessage();
    } else if (e instanceof RejectedException) {
      code = ExitCodes.REJECTED;
      msg = e.getMessage();
    } else if (e instanceof io.shulian.gateway.config.ConfigException) {
      code = ExitCodes.USAGE;
      msg = "invalid configuration: " + e.getMessage();
    } else if (e instanceof ShulianException) {
      code = ExitCodes.FAILURE;
      msg = e.getMessage();
    } else if (e instanceof BoundedRead.TooLargeException) {
      code = ExitCodes.REJECTED;
      msg = "input rejected (TOO_LARGE): " + e.getMessage();
    } else if (e instanceof BoundedRead.NotPemException) {
      code = ExitCodes.REJECTED;
      msg = "input rejected (NOT_PEM): " + e.getMessage();
    } else if (e instanceof java.net.BindException) {
      code = ExitCodes.FAILURE;
      msg = e.getMessage();
    } else if (e instanceof NoSuchFileException) {
      code = ExitCodes.FAILURE;
      msg = "no such file: " + e.getMessage();
    } else if (e instanceof AccessDeniedException) {
      code = ExitCodes.FAILURE;
      msg = "permission denied: " + e.getMessage();
    } else if (e instanceof FileAlreadyExistsException) {
      code = ExitCodes.FAILURE;
      msg = "file exists: " + e.getMessage();
    } else if (e instanceof IOException) {
      code = ExitCodes.FAILURE;
      msg = "I/O error: " + e.getMessage();
    } else {
      code = ExitCodes.FAILURE;
      msg = "internal error (" + e.getClass().getSimpleName() + "): " + e.getMessage()
          + ". Please report it; set SHULIAN_DEBUG=1 for a stack trace.";
      if (System.getenv("SHULIAN_DEBUG") != null) {
        e.printStackTrace(cmd.getErr());
      }
    }
    cmd.getErr().println("shulian " + name + ": " + msg);
    cmd.getErr().flush();
    return code;
  }

  /** Returns the refusal (exit code 3) of a catalog or policy document: {@code what}, then each problem with its location. */
  static RejectedException invalid(String what, io.shulian.core.catalog.InvalidDocumentException e) {
    StringBuilder b = new StringBuilder(what + ":");
    for (io.shulian.core.catalog.Problem p : e.problems()) {
      b.append("\n  ").append(p);
    }
    return new RejectedException(b.toString());
  }

  /** A command's verdict that its input is invalid (exit code 3). */
  static final class RejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    RejectedException(String message) {
      super(message);
    }
  }
}
