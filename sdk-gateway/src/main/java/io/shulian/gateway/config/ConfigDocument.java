package io.shulian.gateway.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A configuration file read as a tree that remembers where each key and value stands, checked
 * against the shape of {@link GatewayConfig} before it is bound, and the problems found in it,
 * each located as {@code file:line:column: path: message}. Every problem of the file is collected
 * (unknown keys with the nearest known key, keys given twice, values of the wrong kind); messages
 * speak of mappings, lists, whole numbers and durations, never of Java or parser types.
 */
// YAML nodes and locations are looked up by path and may be absent at every step: checked where
// used, not by NullAway (as GatewayConfig, the binding target it checks)
@org.jspecify.annotations.NullUnmarked
final class ConfigDocument {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  /** Keys are compared with the known ones up to this Damerau-Levenshtein distance for a suggestion. */
  private static final int SUGGEST_DISTANCE = 2;

  private final Path file;
  private final Map<String, JsonLocation> keys = new HashMap<>();
  private final Map<String, JsonLocation> values = new HashMap<>();
  private final List<Located> problems = new ArrayList<>();
  /** Paths an unknown key was taken for: that they are missing is not reported a second time. */
  private final java.util.Set<String> suggested = new java.util.HashSet<>();
  private JsonNode root;

  /** One problem and where it is; {@code line} 0 when it is about the file as a whole. */
  private static final class Located {
    final int line;
    final int column;
    final String text;

    Located(int line, int column, String text) {
      this.line = line;
      this.column = column;
      this.text = text;
    }
  }

  private ConfigDocument(Path file) {
    this.file = file;
  }

  /**
   * Reads {@code yaml} and checks its shape; {@link #config} then binds what is well-formed.
   * A syntax error ends reading (the rest cannot be located), with that one problem.
   */
  static ConfigDocument read(Path file, byte[] yaml) {
    ConfigDocument d = new ConfigDocument(file);
    try (JsonParser p = new YAMLFactory().createParser(yaml)) {
      JsonToken t = p.nextToken();
      d.root = t == null ? null : d.node(p, "");
    } catch (JsonProcessingException e) {
      d.at(e.getLocation(), syntax(e.getOriginalMessage()));
      d.root = null;
      return d;
    } catch (IOException e) {
      d.add("", "cannot read: " + e.getMessage());
      return d;
    }
    if (d.root == null || d.root.isNull() || d.root.isMissingNode()) {
      d.add("", "empty configuration");
    } else if (!d.root.isObject()) {
      d.add("", "must be a mapping of sections (identity, consumer, provider, audit, ...)");
      d.root = null;
    } else {
      d.shape((ObjectNode) d.root, GatewayConfig.class, "");
    }
    return d;
  }

  /**
   * The parser's words for a syntax error without its internal names or excerpts: what it was
   * parsing and what it expected ("while parsing a flow mapping; expected ',' or '}', but got
   * <stream end>").
   */
  private static String syntax(String m) {
    List<String> said = new ArrayList<>();
    for (String line : (m == null ? "" : m).split("\n")) {
      String t = line.trim();
      // SnakeYAML adds "in 'reader', line n, column m:" and an excerpt with a caret: the location says it better
      if (!t.isEmpty() && !t.startsWith("in ") && !t.startsWith("^") && !line.startsWith(" ")) {
        said.add(t.replaceAll("\\b(org|com|java)\\.[\\w.$]+", "").trim());
      }
    }
    return "malformed YAML" + (said.isEmpty() ? "" : ": " + String.join("; ", said));
  }

  /** Builds the node at the parser's current token, recording locations; duplicate keys are problems. */
  private JsonNode node(JsonParser p, String path) throws IOException {
    values.putIfAbsent(path, p.currentTokenLocation());
    if (p instanceof com.fasterxml.jackson.dataformat.yaml.YAMLParser
        && ((com.fasterxml.jackson.dataformat.yaml.YAMLParser) p).isCurrentAlias()) {
      at(p.currentTokenLocation(), (path.isEmpty() ? "" : path + ": ")
          + "YAML aliases (*name) are not supported; write the value out");
      return F.missingNode();
    }
    switch (p.currentToken()) {
      case START_OBJECT: {
        ObjectNode o = F.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          String child = path.isEmpty() ? name : path + "." + name;
          JsonLocation key = p.currentTokenLocation();
          p.nextToken();
          if (o.has(name)) {
            // a second value would silently win: both are refused, the second is named where it stands
            at(key, child + ": duplicate key, given twice in one mapping (remove one)");
            p.skipChildren();
            continue;
          }
          keys.put(child, key);
          JsonNode v = node(p, child);
          if (!v.isMissingNode()) {
            o.set(name, v);
          }
        }
        return o;
      }
      case START_ARRAY: {
        ArrayNode a = F.arrayNode();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          JsonNode v = node(p, path + "[" + i++ + "]");
          if (!v.isMissingNode()) {
            a.add(v);
          }
        }
        return a;
      }
      case VALUE_NUMBER_INT:
        return F.numberNode(p.getBigIntegerValue());
      case VALUE_NUMBER_FLOAT:
        return F.numberNode(p.getDecimalValue());
      case VALUE_TRUE:
        return F.booleanNode(true);
      case VALUE_FALSE:
        return F.booleanNode(false);
      case VALUE_NULL:
        return F.nullNode();
      default:
        return F.textNode(p.getText());
    }
  }

  /** Checks {@code o} against the public fields of {@code type}; removes what is not well-formed. */
  private void shape(ObjectNode o, Class<?> type, String path) {
    Map<String, Field> known = new TreeMap<>();
    for (Field f : type.getFields()) {
      if (!Modifier.isStatic(f.getModifiers())) {
        com.fasterxml.jackson.annotation.JsonProperty jp = f.getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
        known.put(jp != null && !jp.value().isEmpty() ? jp.value() : f.getName(), f);
      }
    }
    Object defaults = defaults(type);
    for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
      Field f = known.get(e.getKey());
      if (f == null) {
        String near = nearest(e.getKey(), known.keySet());
        if (near != null) {
          suggested.add(path.isEmpty() ? near : path + "." + near);
        }
        at(keys.get(child), child + ": unknown key" + (near != null ? "; did you mean `" + near + "`?"
            : " (allowed here: " + String.join(", ", known.keySet()) + ")"));
        it.remove();
        continue;
      }
      JsonNode v = e.getValue();
      if (v.isNull()) {
        if (f.getType().isPrimitive() || fieldDefault(f, defaults) != null) {
          add(child, "must not be null (leave it out to use the default)");
          it.remove();
        }
        continue;
      }
      JsonNode fixed = value(v, f.getGenericType(), child);
      if (fixed == null) {
        it.remove();
      } else if (fixed != v) {
        e.setValue(fixed);
      }
    }
  }

  /** The value checked against {@code type}: itself, a replacement (a scalar as text), or null if refused. */
  private JsonNode value(JsonNode v, Type type, String path) {
    Class<?> raw = type instanceof ParameterizedType ? (Class<?>) ((ParameterizedType) type).getRawType() : (Class<?>) type;
    if (raw == String.class) {
      if (v.isContainerNode()) {
        add(path, "must be a single value, not " + kind(v));
        return null;
      }
      return v.isTextual() ? v : F.textNode(v.asText());
    }
    if (raw == int.class || raw == long.class) {
      BigInteger n = v.isIntegralNumber() ? v.bigIntegerValue() : v.isTextual() && v.asText().trim().matches("-?\\d{1,30}")
          ? new BigInteger(v.asText().trim()) : null;
      if (n == null) {
        add(path, "must be a whole number, got " + shown(v));
        return null;
      }
      BigInteger max = BigInteger.valueOf(raw == int.class ? Integer.MAX_VALUE : Long.MAX_VALUE);
      if (n.abs().compareTo(max) > 0) {
        add(path, "must be a whole number of at most " + max + ", got " + n);
        return null;
      }
      return raw == int.class ? F.numberNode(n.intValue()) : F.numberNode(n.longValue());
    }
    if (raw == double.class) {
      String t = v.isContainerNode() ? "" : v.asText().trim();
      Double d = v.isNumber() ? Double.valueOf(v.doubleValue())
          : t.matches("-?\\d{1,30}(\\.\\d{1,30})?") ? Double.valueOf(t) : null;
      if (d == null || !Double.isFinite(d)) {
        add(path, "must be a number, got " + shown(v));
        return null;
      }
      return F.numberNode(d.doubleValue());
    }
    if (raw == boolean.class) {
      String s = v.isBoolean() ? null : v.asText().trim().toLowerCase(Locale.ROOT);
      if (v.isBoolean()) {
        return v;
      }
      if (!v.isContainerNode() && (s.equals("true") || s.equals("false"))) {
        return F.booleanNode(s.equals("true"));
      }
      add(path, "must be true or false, got " + shown(v));
      return null;
    }
    if (List.class.isAssignableFrom(raw)) {
      if (!v.isArray()) {
        add(path, "must be a list ([a, b] or one '- item' per line), not " + kind(v));
        return null;
      }
      Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
      ArrayNode out = F.arrayNode();
      boolean ok = true;
      for (int i = 0; i < v.size(); i++) {
        JsonNode x = v.get(i);
        if (x.isNull()) {
          add(path + "[" + i + "]", "must not be null");
          ok = false;
          continue;
        }
        JsonNode fixed = value(x, element, path + "[" + i + "]");
        ok &= fixed != null;
        out.add(fixed == null ? F.nullNode() : fixed);
      }
      return ok ? out : null;
    }
    if (Map.class.isAssignableFrom(raw)) {
      // free keys with single values (e.g. Kafka client settings); the values are never echoed: they may be secrets
      if (!v.isObject()) {
        add(path, "must be a mapping (key: value), not " + (v.isArray() ? "a list" : "a single value"));
        return null;
      }
      ObjectNode out = F.objectNode();
      boolean ok = true;
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getValue().isContainerNode() || e.getValue().isNull()) {
          add(path + "." + e.getKey(), "must be a single value");
          ok = false;
        } else {
          out.put(e.getKey(), e.getValue().asText());
        }
      }
      return ok ? out : null;
    }
    // a section of the configuration
    if (!v.isObject()) {
      add(path, "must be a mapping (key: value), not " + kind(v));
      return null;
    }
    shape((ObjectNode) v, raw, path);
    return v;
  }

  private static String kind(JsonNode v) {
    return v.isObject() ? "a mapping" : v.isArray() ? "a list" : "a single value (" + shown(v) + ")";
  }

  /** A value as the operator wrote it, quoted and cut short. */
  static String shown(JsonNode v) {
    String s = v.isContainerNode() ? (v.isObject() ? "{...}" : "[...]") : v.asText();
    return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
  }

  private static Object defaults(Class<?> type) {
    try {
      return type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  private static Object fieldDefault(Field f, Object defaults) {
    try {
      return defaults == null ? null : f.get(defaults);
    } catch (IllegalAccessException e) {
      return null;
    }
  }

  /** The known key nearest to {@code key} (Damerau-Levenshtein, case-insensitive) within the limit, or null. */
  static String nearest(String key, Iterable<String> known) {
    String best = null;
    int bestDistance = SUGGEST_DISTANCE + 1;
    for (String k : known) {
      int d = distance(key.toLowerCase(Locale.ROOT), k.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return best;
  }

  /** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  /**
   * Binds the well-formed part of the document.
   *
   * @return the configuration, or null if the document has no mapping to bind
   */
  GatewayConfig config(ObjectMapper mapper) {
    if (root == null || !root.isObject()) {
      return null;
    }
    try {
      return mapper.treeToValue(root, GatewayConfig.class);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      // the shape check above admits only what binds; should it miss a case, say so without internals
      add("", "cannot be read as a gateway configuration");
      return null;
    }
  }

  /**
   * Adds a problem about {@code path} (a dotted path such as {@code limits.requestTimeout}, or ""
   * for the file), located at its value, or its nearest enclosing value that is in the file.
   */
  void add(String path, String message) {
    for (String p = path; !p.isEmpty(); p = parent(p)) {
      if (suggested.contains(p) && !values.containsKey(p)) {
        return;
      }
    }
    String text = path.isEmpty() ? message : path + ": " + message;
    for (String p = path; ; p = parent(p)) {
      JsonLocation l = values.get(p);
      if (l != null && !p.isEmpty()) {
        at(l, text);
        return;
      }
      if (p.isEmpty()) {
        problems.add(new Located(0, 0, text));
        return;
      }
    }
  }

  /**
   * Adds a problem written as {@code path: message} (as the checks of {@link ConfigLoader} write
   * them) or as a sentence about the whole file.
   */
  void add(String problem) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([A-Za-z][\\w]*(?:\\.[A-Za-z]\\w*|\\[\\d+])*): (.*)",
        java.util.regex.Pattern.DOTALL).matcher(problem);
    if (m.matches()) {
      add(m.group(1), m.group(2));
    } else {
      problems.add(new Located(0, 0, problem));
    }
  }

  private static String parent(String p) {
    int dot = p.lastIndexOf('.');
    int bracket = p.lastIndexOf('[');
    int cut = Math.max(dot, bracket);
    return cut < 0 ? "" : p.substring(0, cut);
  }

  private void at(JsonLocation l, String text) {
    if (l == null || l.getLineNr() < 1) {
      problems.add(new Located(0, 0, text));
    } else {
      problems.add(new Located(l.getLineNr(), l.getColumnNr(), text));
    }
  }

  boolean hasProblems() {
    return !problems.isEmpty();
  }

  /** Every problem as {@code file:line:column: text} (or {@code file: text}), in the order they stand in the file. */
  List<String> problems() {
    List<Located> sorted = new ArrayList<>(problems);
    // problems about the file as a whole (a missing section) come after those that point at a place
    sorted.sort(Comparator.comparingInt((Located x) -> x.line == 0 ? Integer.MAX_VALUE : x.line)
        .thenComparingInt(x -> x.column));
    List<String> out = new ArrayList<>();
    for (Located x : sorted) {
      out.add(file + (x.line == 0 ? "" : ":" + x.line + ":" + x.column) + ": " + x.text);
    }
    return out;
  }
}
