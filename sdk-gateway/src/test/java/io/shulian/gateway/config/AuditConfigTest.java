package io.shulian.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditConfigTest {
  @TempDir Path dir;

  private ConfigException load(String audit) throws Exception {
    return ConfigProblems.load(dir, "audit: " + audit);
  }

  @Test
  void defaults_commitDelayIsFiveMilliseconds() {
    assertThat(ConfigLoader.duration(new GatewayConfig.Audit().commitDelay)).hasMillis(5);
  }

  @Test
  void load_commitDelayOverOneSecond_isAProblem() throws Exception {
    assertThat(load("{ dir: audit, commitDelay: 2s }").problems())
        .anySatisfy(p -> assertThat(p).contains(": audit.commitDelay: at most 1s, got 2s"));
  }

  @Test
  void load_commitDelayNotADuration_isAProblem() throws Exception {
    assertThat(load("{ dir: audit, commitDelay: later }").problems())
        .anySatisfy(p -> assertThat(p).contains(": audit.commitDelay: \"later\" is not a duration"));
  }

  @Test
  void load_commitDelayZero_isNoAuditProblem() throws Exception {
    ConfigException e = load("{ dir: audit, commitDelay: 0ms }");
    // the keystore is missing, so loading fails, but not because of the audit section
    assertThat(e).isNotNull();
    assertThat(e.problems()).noneSatisfy(p -> assertThat(p).contains(": audit."));
  }
}
