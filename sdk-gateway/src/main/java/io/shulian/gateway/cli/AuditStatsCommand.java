package io.shulian.gateway.cli;

import io.shulian.core.audit.AuditException;
import io.shulian.core.audit.AuditStatistics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = {
      "Report sharing statistics per provider, consumer and resource.",
      "Counts requests, permitted, denied by reason, response bytes, p50/p95 latency, and data set "
          + "transfers: started, bytes of the completed ones, interrupted, resumed (continuations). Give the "
          + "logs of several gateways to combine them; an exchange seen by both gateways counts once. "
          + "Counting rules: docs/audit.md."
    })
final class AuditStatsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--log", required = true, arity = "1..*", description = "log directories")
  List<Path> logs;

  @Option(names = "--from", description = "first time included: 2026-01-05, 2026-01-05T08:00:00Z or with an offset")
  String from;

  @Option(names = "--to", description = "first time excluded (same forms as --from)")
  String to;

  @Option(names = "--zone", description = "time zone for plain dates (default ${DEFAULT-VALUE})")
  String zone = "Asia/Shanghai";

  @Option(names = "--format", description = "table, json or csv (default ${DEFAULT-VALUE})")
  String format = "table";

  @Option(names = "--out", description = "output file, or - for standard output (default)")
  String out = "-";

  @Override
  public Integer call() throws Exception {
    String f = format.toLowerCase(Locale.ROOT);
    if (!f.equals("table") && !f.equals("json") && !f.equals("csv")) {
      throw Cli.usage(spec, "--format must be table, json or csv, got '" + format + "'");
    }
    ZoneId z;
    try {
      z = ZoneId.of(zone);
    } catch (DateTimeException e) {
      throw Cli.usage(spec, "--zone is not a time zone: '" + zone + "'");
    }
    Instant a = from == null ? null : instant(from, z, "--from");
    Instant b = to == null ? null : instant(to, z, "--to");
    if (a != null && b != null && !a.isBefore(b)) {
      throw Cli.usage(spec, "--from must be before --to");
    }
    AuditStatistics s;
    try {
      s = AuditStatistics.compute(logs, a, b);
    } catch (AuditException e) {
      return AuditCommand.fail(spec, e);
    }
    String text = f.equals("json") ? s.toJson() : f.equals("csv") ? s.toCsv() : s.toTable();
    AuditCommand.write(spec, out, text.getBytes(StandardCharsets.UTF_8));
    return ExitCodes.OK;
  }

  private Instant instant(String s, ZoneId z, String option) {
    try {
      if (s.length() == 10) {
        return LocalDate.parse(s).atStartOfDay(z).toInstant();
      }
      if (s.endsWith("Z")) {
        return Instant.parse(s);
      }
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeException e) {
      throw Cli.usage(spec, option + " must be a date (2026-01-05) or a time (2026-01-05T08:00:00Z), got '" + s + "'");
    }
  }
}
