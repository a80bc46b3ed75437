package io.shulian.spring.boot.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The property table of docs/spring-boot.md ("| `shulian.…` | default | meaning |") lists exactly
 * the properties the starter binds, with their defaults: the Spring Boot configuration metadata the
 * build generates from the properties classes (what IDEs show), META-INF/spring-configuration-metadata.json.
 */
class DocumentedPropertiesTest {
  private static final Pattern ROW = Pattern.compile("(?m)^\\| `([a-z][a-z.-]*)` \\| ([^|]*) \\|");

  @Test
  void springBootMd_propertyTable_isTheStartersMetadata() throws Exception {
    JsonNode metadata;
    try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("the build generated the configuration metadata").isNotNull();
      metadata = new ObjectMapper().readTree(in);
    }
    Map<String, String> bound = new TreeMap<>();
    for (JsonNode p : metadata.path("properties")) {
      JsonNode d = p.path("defaultValue");
      bound.put(p.path("name").asText(), d.isMissingNode() || d.isNull() ? "—" : d.asText());
    }
    assertThat(bound).as("properties in the metadata").hasSizeGreaterThan(10);

    String doc = Files.readString(Path.of("..").toAbsolutePath().normalize().resolve("docs/spring-boot.md"),
        StandardCharsets.UTF_8);
    int table = doc.indexOf("| property | default | meaning |");
    assertThat(table).as("docs/spring-boot.md has the property table").isPositive();
    Map<String, String> documented = new TreeMap<>();
    Matcher row = ROW.matcher(doc.substring(table, doc.indexOf("\n\n", table)));
    while (row.find()) {
      documented.put(row.group(1), row.group(2).strip().replace("`", ""));
    }
    assertThat(documented).as("docs/spring-boot.md's property table vs the starter's metadata").isEqualTo(bound);
  }
}
