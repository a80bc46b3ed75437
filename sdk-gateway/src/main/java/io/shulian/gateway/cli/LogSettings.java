package io.shulian.gateway.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * Chooses how {@code shulian.jar} logs, before its first log line: the logging configuration
 * shaded into the jar (sdk-gateway/src/shade/logback.xml) reads the three system properties set
 * here. {@code shulian gateway} logs JSON lines at INFO (a service under systemd or a container
 * runtime); every other command, {@code gateway --check} included, logs text at WARN, so that a
 * person reads it. Either way every log line goes to standard error and standard output stays the
 * command's own. The environment variables {@code SHULIAN_LOG_FORMAT} (json, text), {@code
 * SHULIAN_LOG_LEVEL} (trace, debug, info, warn, error, off) and {@code SHULIAN_ACCESS_LOG} (on, off)
 * override the defaults, and a system property set with {@code -D} overrides its variable.
 */
final class LogSettings {
  static final String FORMAT = "shulian.log.format";
  static final String LEVEL = "shulian.log.level";
  static final String ACCESS = "shulian.log.access";

  private static final List<String> FORMATS = List.of("json", "text");
  private static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error", "off");
  private static final List<String> SWITCH = List.of("on", "off");

  private LogSettings() {}

  /**
   * Sets the three properties in {@code sys} that are not set already, from {@code env} or the
   * defaults for the command {@code args} run.
   *
   * @return null, or a message naming the invalid setting and the values allowed (nothing is set then)
   */
  static @Nullable String apply(String[] args, Map<String, String> env, Properties sys) {
    boolean service = args.length > 0 && args[0].equals("gateway") && !List.of(args).contains("--check");
    String format = pick(sys, FORMAT, env, "SHULIAN_LOG_FORMAT", service ? "json" : "text");
    String level = pick(sys, LEVEL, env, "SHULIAN_LOG_LEVEL", service ? "info" : "warn");
    String access = pick(sys, ACCESS, env, "SHULIAN_ACCESS_LOG", "on");
    String bad = check("SHULIAN_LOG_FORMAT", format, FORMATS);
    bad = bad != null ? bad : check("SHULIAN_LOG_LEVEL", level, LEVELS);
    bad = bad != null ? bad : check("SHULIAN_ACCESS_LOG", access, SWITCH);
    if (bad != null) {
      return bad;
    }
    sys.setProperty(FORMAT, format);
    sys.setProperty(LEVEL, level.toUpperCase(Locale.ROOT));
    sys.setProperty(ACCESS, access.equals("on") ? "INFO" : "OFF");
    return null;
  }

  private static String pick(Properties sys, String property, Map<String, String> env, String variable, String dflt) {
    String v = sys.getProperty(property);
    if (v == null) {
      v = env.get(variable);
    }
    v = v == null || v.isBlank() ? dflt : v.trim().toLowerCase(Locale.ROOT);
    // the access property also takes the logback level the configuration file uses
    return property.equals(ACCESS) && v.equals("info") ? "on" : v;
  }

  private static @Nullable String check(String variable, String value, List<String> allowed) {
    return allowed.contains(value) ? null
        : "invalid " + variable + " '" + value + "': expected one of " + String.join(", ", allowed);
  }
}
