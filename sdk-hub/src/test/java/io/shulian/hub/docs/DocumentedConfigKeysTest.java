package io.shulian.hub.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.shulian.gateway.config.GatewayConfig;
import io.shulian.hub.HubConfig;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The configuration references, docs/gateway.md's first {@code yaml} block and docs/hub.md's with
 * docs/console.md's (the console's settings), name
 * exactly the keys the configuration classes bind ({@link GatewayConfig}, {@link HubConfig}: their
 * public fields, as the loaders check them): no documented key is unknown to the loader, and no
 * key the loader takes is missing from the reference. Commented-out keys ({@code # gm: …}) count as
 * documented; their values are not checked here (the loaders' own tests do that).
 */
class DocumentedConfigKeysTest {
  /** A commented-out key line: "# key: …" or "# - key: …", with the key where it would stand. */
  private static final Pattern COMMENTED_KEY = Pattern.compile("(?m)^(\\s*)# (\\s*(?:- )?[A-Za-z][A-Za-z0-9]*:(?: .*)?)$");

  @Test
  void gatewayMd_configurationReference_namesExactlyTheKeysOfGatewayConfig() throws Exception {
    assertDocumentsExactly(GatewayConfig.class, "docs/gateway.md");
  }

  @Test
  void hubMd_configurationReference_namesExactlyTheKeysOfHubConfig() throws Exception {
    assertDocumentsExactly(HubConfig.class, "docs/hub.md", "docs/console.md");
  }

  /**
   * Every other YAML example of a gateway or hub configuration in docs/ (a block whose top-level keys
   * are all keys of {@link GatewayConfig} or of {@link HubConfig}) names only keys that class takes.
   */
  @Test
  void everyConfigurationExampleInDocs_namesOnlyKeysTheLoaderTakes() throws Exception {
    List<String> wrong = new ArrayList<>();
    int checked = 0;
    for (Path doc : DocumentedCommandsTest.documents()) {
      Matcher block = Pattern.compile("(?ms)^```yaml\\n(.*?)^```").matcher(Files.readString(doc, StandardCharsets.UTF_8));
      while (block.find()) {
        JsonNode tree = parse(block.group(1));
        Set<String> best = null;
        for (Class<?> config : List.of(GatewayConfig.class, HubConfig.class)) {
          Set<String> top = new TreeSet<>();
          tree.fieldNames().forEachRemaining(top::add);
          if (!tree.isObject() || !fields(config).keySet().containsAll(top)) {
            continue;
          }
          Set<String> unknown = new TreeSet<>();
          walk(tree, config, "", unknown, new TreeSet<>());
          if (best == null || unknown.size() < best.size()) {
            best = unknown;
          }
        }
        if (best != null) {
          checked++;
          if (!best.isEmpty()) {
            wrong.add(DocumentedCommandsTest.ROOT.relativize(doc) + ": " + best);
          }
        }
      }
    }
    assertThat(checked).as("configuration examples in the docs").isGreaterThanOrEqualTo(6);
    assertThat(wrong).as("configuration examples naming keys no loader takes").isEmpty();
  }

  @Test
  void commentedKeys_countAsDocumented_andAnUnknownKeyIsFound() throws Exception {
    JsonNode tree = parse("a:\n  # b: 1\n  c: 2\n# d:\n#   - e: 3\n");
    assertThat(tree.path("a").has("b")).isTrue();
    assertThat(tree.path("d").path(0).has("e")).isTrue();
    Set<String> unknown = new TreeSet<>();
    walk(parse("limits:\n  maxBodyBytes: 1\n  maxBodyByte: 2\n"), GatewayConfig.class, "", unknown, new TreeSet<>());
    assertThat(unknown).containsExactly("limits.maxBodyByte");
  }

  /** Checks the first yaml block of each of {@code docs} together: the reference is split over them. */
  private static void assertDocumentsExactly(Class<?> config, String... docs) throws Exception {
    Set<String> unknown = new TreeSet<>();
    Set<String> documented = new TreeSet<>();
    for (String doc : docs) {
      String text = Files.readString(DocumentedCommandsTest.ROOT.resolve(doc), StandardCharsets.UTF_8);
      Matcher block = Pattern.compile("(?ms)^```yaml\\n(.*?)^```").matcher(text);
      assertThat(block.find()).as("%s has a yaml block", doc).isTrue();
      walk(parse(block.group(1)), config, "", unknown, documented);
    }
    String where = String.join(" and ", docs);
    assertThat(unknown).as("keys in the configuration reference (%s) that %s does not take", where,
        config.getSimpleName()).isEmpty();
    Set<String> keys = new TreeSet<>();
    keys(config, "", keys);
    keys.removeAll(documented);
    assertThat(keys).as("keys %s takes that the configuration reference (%s) leaves out", config.getSimpleName(), where)
        .isEmpty();
  }

  private static JsonNode parse(String yaml) throws Exception {
    return new YAMLMapper().readTree(COMMENTED_KEY.matcher(yaml).replaceAll("$1$2"));
  }

  /** The YAML names of {@code type}'s keys, as the loaders bind them. */
  private static Map<String, Field> fields(Class<?> type) {
    Map<String, Field> out = new LinkedHashMap<>();
    for (Field f : type.getFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        JsonProperty p = f.getAnnotation(JsonProperty.class);
        out.put(p != null && !p.value().isEmpty() ? p.value() : f.getName(), f);
      }
    }
    return out;
  }

  /** The configuration class a field's value binds to (a list's element), or null for a scalar or free-form map. */
  private static Class<?> section(Field f) {
    Type t = f.getGenericType();
    if (t instanceof ParameterizedType p && List.class.isAssignableFrom(f.getType())
        && p.getActualTypeArguments()[0] instanceof Class<?> element) {
      return isSection(element) ? element : null;
    }
    return isSection(f.getType()) ? f.getType() : null;
  }

  private static boolean isSection(Class<?> c) {
    return c.getEnclosingClass() != null && (c.getEnclosingClass() == GatewayConfig.class
        || c.getEnclosingClass() == HubConfig.class);
  }

  private static void walk(JsonNode node, Class<?> type, String path, Set<String> unknown, Set<String> documented) {
    if (node.isArray()) {
      node.forEach(e -> walk(e, type, path, unknown, documented));
      return;
    }
    if (!node.isObject()) {
      return;
    }
    Map<String, Field> known = fields(type);
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = path + e.getKey();
      Field f = known.get(e.getKey());
      if (f == null) {
        unknown.add(key);
        continue;
      }
      documented.add(key);
      Class<?> section = section(f);
      if (section != null) {
        walk(e.getValue(), section, key + ".", unknown, documented);
      }
    }
  }

  private static void keys(Class<?> type, String path, Set<String> out) {
    for (Map.Entry<String, Field> e : fields(type).entrySet()) {
      out.add(path + e.getKey());
      Class<?> section = section(e.getValue());
      if (section != null) {
        keys(section, path + e.getKey() + ".", out);
      }
    }
  }
}
