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

  @Test
  void load_redisPasswordInTheAddress_isAProblemThatDoesNotEchoIt() throws Exception {
    ConfigException e = ConfigProblems.load(dir, "audit: { dir: audit }",
        "state: { redis: \"redis://gw:s3cret-pw@127.0.0.1:6379\" }");

    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("state.redis").contains("no user or password"));
    assertThat(e.getMessage()).doesNotContain("s3cret-pw");
  }

  @Test
  void load_redisBadOptions_eachAProblem() throws Exception {
    ConfigException e = ConfigProblems.load(dir, "audit: { dir: audit }",
        "state: { redis: \"http://127.0.0.1:6379\", redisUser: gw, redisTimeout: 30s,"
            + " onUnavailable: { replay: ignore, grants: refuse, rates: allow-local } }");

    assertThat(e.problems())
        .anySatisfy(p -> assertThat(p).contains("state.redis").contains("redis://"))
        .anySatisfy(p -> assertThat(p).contains("state.redisUser").contains("redisPasswordEnv"))
        .anySatisfy(p -> assertThat(p).contains("state.redisTimeout"))
        .anySatisfy(p -> assertThat(p).contains("state.onUnavailable.replay").contains("refuse, allow-local"));
  }

  @Test
  void load_redisReplicasAndWaitTimeoutOutOfRange_eachAProblem() throws Exception {
    assertThat(ConfigProblems.load(dir, "audit: { dir: audit }",
        "state: { redis: \"redis://127.0.0.1:6379\", redisReplicas: -1, redisWaitTimeout: soon }").problems())
        .anySatisfy(p -> assertThat(p).contains("state.redisReplicas").contains("0..16"))
        .anySatisfy(p -> assertThat(p).contains("state.redisWaitTimeout").contains("soon"));
    assertThat(ConfigProblems.load(dir, "audit: { dir: audit }",
        "state: { redis: \"redis://127.0.0.1:6379\", redisReplicas: 1, redisTimeout: 500ms, redisWaitTimeout: 500ms }")
        .problems())
        .anySatisfy(p -> assertThat(p).contains("state.redisWaitTimeout").contains("shorter than state.redisTimeout"));
  }

  @Test
  void load_redisPasswordEnvNotSet_isAProblem() throws Exception {
    ConfigException e = ConfigProblems.load(dir, "audit: { dir: audit }",
        "state: { redis: \"redis://127.0.0.1:6379\", redisPasswordEnv: SHULIAN_REDIS_PASSWORD }");

    assertThat(e.problems()).anySatisfy(p -> assertThat(p).contains("SHULIAN_REDIS_PASSWORD").contains("not set"));
  }
}
