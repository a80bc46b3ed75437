package io.shulian.gateway.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The metric families docs/gateway.md lists "with `collector.kafka` only" (which the gateways of
 * MetricsExpositionTest do not expose: they ship to no broker) are the meters KafkaShipper
 * registers: a counter {@code x.y} is {@code x_y_total}, a gauge with base unit {@code u} is
 * {@code x_y_u}.
 */
class DocumentedKafkaMetricsTest {
  private static final Pattern METER = Pattern.compile(
      "(Counter|Gauge)\\.builder\\(\"([a-z.]+)\"([^;]*);");
  private static final Pattern BASE_UNIT = Pattern.compile("\\.baseUnit\\(\"([a-z]+)\"\\)");

  @Test
  void gatewayMdKafkaRows_areTheMetersKafkaShipperRegisters() throws Exception {
    String shipper = Files.readString(DocumentedPartyIdsTest.ROOT.resolve(
        "sdk-gateway/src/main/java/io/shulian/gateway/ship/KafkaShipper.java"), StandardCharsets.UTF_8);
    Set<String> registered = new TreeSet<>();
    Matcher m = METER.matcher(shipper);
    while (m.find()) {
      String name = m.group(2).replace('.', '_');
      Matcher unit = BASE_UNIT.matcher(m.group(3));
      registered.add(m.group(1).equals("Counter") ? name + "_total" : unit.find() ? name + "_" + unit.group(1) : name);
    }
    assertThat(registered).as("meters KafkaShipper registers").hasSizeGreaterThanOrEqualTo(3);
    String doc = Files.readString(DocumentedPartyIdsTest.ROOT.resolve("docs/gateway.md"), StandardCharsets.UTF_8);
    Set<String> documented = new TreeSet<>();
    Matcher row = Pattern.compile("(?m)^\\| `([a-z_]+)` \\|.*with `collector\\.kafka` only.*$").matcher(doc);
    while (row.find()) {
      documented.add(row.group(1));
    }
    assertThat(documented).isEqualTo(registered);
  }
}
