package io.shulian.gateway.cli;

import io.shulian.core.audit.AuditLog;
import io.shulian.gateway.Gateway;
import io.shulian.gateway.audit.AuditLogAuditor;
import io.shulian.gateway.config.ConfigLoader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "gateway",
    mixinStandardHelpOptions = true,
    description = {
      "Run a secure exchange gateway from a YAML configuration.",
      "The roles are consumer, provider and/or pass-through; see docs/gateway.md. SIGTERM drains "
          + "in-flight exchanges and stops. With --check, validate the configuration (and the keys and "
          + "certificates it names) and exit."
    })
final class GatewayCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--config", required = true, description = "gateway YAML file")
  Path config;

  @Option(names = "--check", description = "validate the configuration and exit")
  boolean check;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    ConfigLoader.Loaded loaded = check ? ConfigLoader.check(config, System::getenv) : ConfigLoader.load(config, System::getenv);
    Path auditDir = loaded.resolve(loaded.config.audit.dir);
    if (check) {
      Path parent = auditDir.toAbsolutePath().getParent();
      if (!Files.isDirectory(auditDir) && (parent == null || !Files.isWritable(parent))) {
        throw new Cli.RejectedException("audit.dir " + auditDir + " does not exist and cannot be created");
      }
      err.println("configuration " + config + " is valid: party " + loaded.identity.party() + " ("
          + loaded.identity.suite() + "), roles:"
          + (loaded.config.consumer != null ? " consumer" : "")
          + (loaded.config.provider != null ? " provider" : "")
          + (loaded.config.passthrough != null ? " passthrough" : "") + "; state: " + loaded.stateDir);
      err.flush();
      return ExitCodes.OK;
    }
    Files.createDirectories(auditDir);
    // the audit log's meters (records, commit time, failures) go on the gateway's /metrics
    io.shulian.gateway.ops.AuditMeters meters = io.shulian.gateway.ops.AuditMeters.unbound();
    AuditLog log = AuditLog.builder(auditDir, loaded.identity)
        .commitDelay(Objects.requireNonNull(ConfigLoader.duration(loaded.config.audit.commitDelay)))
        .listener(meters)
        .open();
    Gateway gateway = ConfigLoader.apply(loaded, new AuditLogAuditor(log), System::getenv).meters(meters::bind).build().start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      gateway.close();
      stopped.countDown();
    }, "shulian-shutdown"));
    // the gateway logs its start (event gateway_started: listeners, version, suite) and its drain
    stopped.await();
    return ExitCodes.OK;
  }
}
