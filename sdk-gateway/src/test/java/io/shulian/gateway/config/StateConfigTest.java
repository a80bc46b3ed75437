package io.shulian.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateConfigTest {
  @TempDir Path dir;

  @Test
  void stateDir_default_isNextToTheAuditDirectory() {
    GatewayConfig c = new GatewayConfig();
    c.audit = new GatewayConfig.Audit();
    c.audit.dir = "data/audit-provider/";

    assertThat(ConfigLoader.stateDir(c, dir)).isEqualTo(dir.resolve("data/audit-provider-state"));
    c.state.dir = "/var/lib/shulian/state";
    assertThat(ConfigLoader.stateDir(c, dir)).isEqualTo(Path.of("/var/lib/shulian/state"));
  }

  @Test
  void load_maxReplayEntriesOutOfRange_isAProblem() throws Exception {
    assertThat(ConfigProblems.load(dir, "audit: { dir: audit }", "state: { maxReplayEntries: 0 }").problems())
        .anySatisfy(p -> assertThat(p).contains(": state.maxReplayEntries"));
  }

  @Test
  void load_unknownStateKey_isAProblem() throws Exception {
    assertThat(ConfigProblems.load(dir, "audit: { dir: audit }", "state: { directory: x }").problems())
        .anySatisfy(p -> assertThat(p).contains("directory"));
  }
}
