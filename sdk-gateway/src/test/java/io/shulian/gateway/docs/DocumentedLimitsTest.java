package io.shulian.gateway.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.gateway.config.GatewayConfig;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The configuration reference of docs/gateway.md lists every {@code limits.*} key the gateway's
 * YAML accepts ({@link GatewayConfig.Limits}), and no key it does not accept.
 */
class DocumentedLimitsTest {

  @Test
  void gatewayMd_limitsSection_namesExactlyTheKeysGatewayConfigAccepts() throws Exception {
    String doc = Files.readString(DocumentedPartyIdsTest.ROOT.resolve("docs/gateway.md"), StandardCharsets.UTF_8);
    // the "limits:" mapping of the configuration example: its indented lines up to the next top-level key
    Matcher section = Pattern.compile("(?m)^limits:[^\\n]*\\n((?:[ \\t][^\\n]*\\n|\\n)*)").matcher(doc);
    assertThat(section.find()).as("docs/gateway.md has a limits: section in its configuration example").isTrue();
    Set<String> documented = new LinkedHashSet<>();
    Matcher key = Pattern.compile("(?m)^  ([A-Za-z][A-Za-z0-9]*):").matcher(section.group(1));
    while (key.find()) {
      documented.add(key.group(1));
    }
    List<String> accepted = new ArrayList<>();
    for (Field f : GatewayConfig.Limits.class.getFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        accepted.add(f.getName());
      }
    }
    assertThat(accepted).as("GatewayConfig.Limits has keys").isNotEmpty();
    assertThat(documented).as("limits keys in docs/gateway.md").containsExactlyInAnyOrderElementsOf(accepted);
  }
}
