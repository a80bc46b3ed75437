package io.shulian.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code collector:} section: each bad value is named; a good one adds no problem. */
class CollectorConfigTest {
  @TempDir Path dir;

  private ConfigException load(String collector) throws Exception {
    return ConfigProblems.load(dir, "audit: { dir: audit }", "collector: " + collector);
  }

  @Test
  void load_plainHttpHub_isAProblem() throws Exception {
    assertThat(load("{ hub: \"http://hub:8443/v1/events\" }").problems())
        .anySatisfy(p -> assertThat(p).contains("collector.hub: an https:// URL"));
  }

  @Test
  void load_batchOutOfRange_andBadDurations_areProblems() throws Exception {
    assertThat(load("{ hub: \"https://hub/v1/events\", batch: 0, interval: soon, heartbeat: 2h }").problems())
        .anySatisfy(p -> assertThat(p).contains("collector.batch: 1 to 10000, got 0"))
        .anySatisfy(p -> assertThat(p).contains("collector.interval"))
        .anySatisfy(p -> assertThat(p).contains("collector.heartbeat"));
  }

  @Test
  void load_withoutCityRoot_isAProblem() throws Exception {
    assertThat(load("{ hub: \"https://hub/v1/events\" }").problems())
        .anySatisfy(p -> assertThat(p).contains("collector: needs trust.root"));
  }

  @Test
  void load_unknownKey_isAProblem() throws Exception {
    assertThat(load("{ hub: \"https://hub/v1/events\", buffer: 100000 }").problems())
        .anySatisfy(p -> assertThat(p).contains("buffer"));
  }

  @Test
  void load_neitherHubNorKafka_isAProblem() throws Exception {
    assertThat(load("{ batch: 10 }").problems())
        .anySatisfy(p -> assertThat(p).contains("collector: needs hub").contains("or kafka"));
  }

  @Test
  void load_kafkaOnly_needsNoHub_butAValidBootstrapAndTopic() throws Exception {
    assertThat(load("{ kafka: { bootstrap: \"kafka-1:9093,kafka-2:9093\" } }").problems())
        .noneSatisfy(p -> assertThat(p).contains("collector.hub"))
        .noneSatisfy(p -> assertThat(p).contains("collector.kafka"));
    assertThat(load("{ kafka: { bootstrap: \"kafka-1\", topic: \"bad topic!\" } }").problems())
        .anySatisfy(p -> assertThat(p).contains("collector.kafka.bootstrap: host:port"))
        .anySatisfy(p -> assertThat(p).contains("collector.kafka.topic"));
  }

  @Test
  void load_kafkaPropertyTheGatewaySets_isAProblem_otherPropertiesPassThrough() throws Exception {
    assertThat(load("{ kafka: { bootstrap: \"k:9093\", properties: { acks: \"1\", enable.idempotence: \"false\","
        + " security.protocol: SASL_SSL } } }").problems())
        .anySatisfy(p -> assertThat(p).contains("collector.kafka.properties: acks is set by the gateway"))
        .anySatisfy(p -> assertThat(p).contains("collector.kafka.properties: enable.idempotence is set by the gateway"))
        .noneSatisfy(p -> assertThat(p).contains("security.protocol"));
  }
}
