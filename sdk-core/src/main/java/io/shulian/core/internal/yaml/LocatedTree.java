package io.shulian.core.internal.yaml;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * A YAML (or JSON) document read into a Jackson tree, with the source line and column of every
 * node kept by its path ({@code resources[2].fields[0].name}). Duplicate keys, anchors and aliases,
 * documents larger than {@link #MAX_BYTES} and nesting deeper than {@link #MAX_DEPTH} are refused.
 */
public final class LocatedTree {
  public static final int MAX_BYTES = 64 * 1024 * 1024;
  public static final int MAX_DEPTH = 32;

  private static final YAMLFactory YAML = createYaml();

  private final String source;
  private final JsonNode root;
  private final Map<String, String> locations;

  private LocatedTree(String source, JsonNode root, Map<String, String> locations) {
    this.source = source;
    this.root = root;
    this.locations = locations;
  }

  private static YAMLFactory createYaml() {
    LoaderOptions lo = new LoaderOptions();
    lo.setAllowDuplicateKeys(false);
    lo.setMaxAliasesForCollections(0);
    lo.setCodePointLimit(MAX_BYTES);
    lo.setNestingDepthLimit(MAX_DEPTH + 1);
    return YAMLFactory.builder()
        .loaderOptions(lo)
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
        .build();
  }

  /** Thrown when the text is not well-formed YAML; the message carries the location. */
  public static final class SyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String location;
    private final String detail;

    SyntaxException(String location, String detail) {
      super(location + ": " + detail, null, false, false);
      this.location = location;
      this.detail = detail;
    }

    /** Returns "source:line:column" or "source". */
    public String location() {
      return location;
    }

    /** Returns the message without the location. */
    public String detail() {
      return detail;
    }
  }

  /**
   * Parses {@code text}.
   *
   * @param source the file name used in locations
   * @throws SyntaxException with "source:line:column: message" if it is not well-formed
   */
  public static LocatedTree parse(String source, byte[] text) throws SyntaxException {
    if (text.length > MAX_BYTES) {
      throw new SyntaxException(source, "larger than " + MAX_BYTES + " bytes");
    }
    Map<String, String> locs = new HashMap<>();
    try (JsonParser p = YAML.createParser(text)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new SyntaxException(source + ":1:1", "the document is empty");
      }
      JsonNode root = read(p, "", locs, source);
      if (p.nextToken() != null) {
        throw new SyntaxException(at(source, p.currentTokenLocation()), "only one YAML document is allowed");
      }
      return new LocatedTree(source, root, locs);
    } catch (StreamConstraintsException e) {
      throw new SyntaxException(source, "nested deeper than " + MAX_DEPTH + " levels");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      JsonLocation l = e.getLocation();
      String msg = e.getOriginalMessage();
      if (msg != null) {
        int nl = msg.indexOf('\n');
        msg = nl > 0 ? msg.substring(0, nl) : msg;
      }
      throw new SyntaxException(l == null ? source : at(source, l), "not well-formed YAML: " + msg);
    } catch (IOException | RuntimeException e) {
      // SnakeYAML reports some limits (duplicate keys, aliases) as runtime exceptions.
      String msg = String.valueOf(e.getMessage());
      int nl = msg.indexOf('\n');
      throw new SyntaxException(source, "not well-formed YAML: " + (nl > 0 ? msg.substring(0, nl) : msg));
    }
  }

  private static String at(String source, JsonLocation l) {
    return source + ":" + l.getLineNr() + ":" + l.getColumnNr();
  }

  private static JsonNode read(JsonParser p, String path, Map<String, String> locs, String source)
      throws IOException, SyntaxException {
    JsonLocation l = p.currentTokenLocation();
    locs.put(path, l.getLineNr() + ":" + l.getColumnNr());
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (p instanceof com.fasterxml.jackson.dataformat.yaml.YAMLParser
        && ((com.fasterxml.jackson.dataformat.yaml.YAMLParser) p).isCurrentAlias()) {
      throw new SyntaxException(at(source, l), "YAML aliases are not allowed; write the value out");
    }
    switch (p.currentToken()) {
      case START_OBJECT: {
        ObjectNode o = f.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = text(p.currentName(), at(source, p.currentTokenLocation()));
          String child = path.isEmpty() ? name : path + "." + name;
          if (o.has(name)) {
            throw new SyntaxException(at(source, p.currentTokenLocation()), "duplicate key '" + name + "'");
          }
          p.nextToken();
          o.set(name, read(p, child, locs, source));
        }
        return o;
      }
      case START_ARRAY: {
        ArrayNode a = f.arrayNode();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          a.add(read(p, path + "[" + i + "]", locs, source));
          i++;
        }
        return a;
      }
      case VALUE_STRING:
        return f.textNode(text(p.getText(), at(source, l)));
      case VALUE_NUMBER_INT:
        return f.numberNode(number(new java.math.BigDecimal(p.getBigIntegerValue()), at(source, l)).toBigIntegerExact());
      case VALUE_NUMBER_FLOAT:
        return f.numberNode(number(p.getDecimalValue(), at(source, l)));
      case VALUE_TRUE:
        return f.booleanNode(true);
      case VALUE_FALSE:
        return f.booleanNode(false);
      case VALUE_NULL:
        return f.nullNode();
      default:
        throw new SyntaxException(at(source, l), "unsupported YAML value " + p.currentToken());
    }
  }

  // The document's hash is taken over its RFC 8785 form, which holds I-JSON only: refuse what
  // canonicalization would silently change, with the location, instead of hashing something else.
  private static java.math.BigDecimal number(java.math.BigDecimal v, String location) throws SyntaxException {
    String problem = CanonicalJson.doubleProblem(v);
    if (problem != null) {
      throw new SyntaxException(location, problem + " (RFC 8785 numbers are IEEE-754 doubles)");
    }
    return v;
  }

  private static String text(String s, String location) throws SyntaxException {
    String problem = CanonicalJson.stringProblem(s);
    if (problem != null) {
      throw new SyntaxException(location, problem);
    }
    return s;
  }

  public String source() {
    return source;
  }

  public JsonNode root() {
    return root;
  }

  /** Returns "source:line:column" of the node at {@code path}, or the nearest enclosing node. */
  public String locate(String path) {
    String p = path;
    while (true) {
      String l = locations.get(p);
      if (l != null) {
        return source + ":" + l;
      }
      if (p.isEmpty()) {
        return source;
      }
      int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut < 0 ? "" : p.substring(0, cut);
    }
  }

  /**
   * Returns the RFC 8785 (JSON Canonicalization Scheme) form of a tree: members sorted by name in
   * UTF-16 order, numbers as ECMAScript writes doubles, minimal string escapes, no whitespace. Two
   * trees with the same content give the same bytes, whatever their YAML layout, and any JCS
   * implementation gives the same bytes for the same JSON.
   *
   * @throws IllegalArgumentException if a number is outside the range of an IEEE-754 double or a
   *     string holds a lone surrogate (trees from {@link #parse} never do: it refuses those, and
   *     numbers more precise than a double, with a location)
   */
  public static byte[] canonicalJson(JsonNode node) {
    return CanonicalJson.of(node);
  }

  /** Returns "sha256:" and the lower-case hex SHA-256 of {@code data}. */
  public static String sha256(byte[] data) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(data);
      StringBuilder sb = new StringBuilder("sha256:");
      for (byte b : d) {
        sb.append(Character.forDigit((b >> 4) & 15, 16)).append(Character.forDigit(b & 15, 16));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Collects located problems while a document is checked. */
  public static final class Problems {
    private final LocatedTree tree;
    private final String prefix;
    private final List<String[]> items = new ArrayList<>();

    public Problems(LocatedTree tree) {
      this(tree, "");
    }

    /**
     * Problems of a document checked under a path {@code prefix} it does not have itself (one
     * resource checked as {@code resource}): the prefix is dropped when the location is looked up.
     */
    public Problems(LocatedTree tree, String prefix) {
      this.tree = tree;
      this.prefix = prefix;
    }

    /** Records a problem at {@code path}. */
    public void add(String path, String message) {
      String local = prefix.isEmpty() || !path.startsWith(prefix) ? path
          : path.substring(prefix.length()).replaceFirst("^\\.", "");
      items.add(new String[] {tree.locate(local), path, message});
    }

    public boolean isEmpty() {
      return items.isEmpty();
    }

    /** Returns {location, path, message} triples in the order they were found. */
    public List<String[]> items() {
      return items;
    }
  }

  /** Helper for reading checked nodes; every accessor records a problem instead of throwing. */
  public static final class Reader {
    private final Problems problems;

    public Reader(Problems problems) {
      this.problems = problems;
    }

    public Problems problems() {
      return problems;
    }

    public static String child(String path, String key) {
      return path.isEmpty() ? key : path + "." + key;
    }

    /** Returns the node as an object, reporting unknown keys and missing required keys. */
    public @Nullable ObjectNode object(@Nullable JsonNode n, String path, List<String> required, List<String> optional) {
      if (n == null || !n.isObject()) {
        problems.add(path, "must be a mapping (object), got " + kind(n));
        return null;
      }
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!required.contains(k) && !optional.contains(k)) {
          List<String> all = new ArrayList<>(required);
          all.addAll(optional);
          problems.add(child(path, k), "unknown key '" + k + "' (allowed: " + String.join(", ", all) + ")");
        }
      }
      for (String k : required) {
        if (!n.has(k) || n.get(k).isNull()) {
          problems.add(path, "missing required key '" + k + "'");
        }
      }
      return (ObjectNode) n;
    }

    /** Returns a non-blank string of at most {@code max} characters, or null with a problem. */
    public @Nullable String text(@Nullable JsonNode n, String path, int max) {
      if (n == null || n.isNull()) {
        return null;
      }
      if (!n.isTextual()) {
        problems.add(path, "must be a string, got " + kind(n));
        return null;
      }
      String s = n.textValue();
      if (s.isBlank()) {
        problems.add(path, "must not be blank");
        return null;
      }
      if (s.length() > max) {
        problems.add(path, "is longer than " + max + " characters");
        return null;
      }
      return s;
    }

    /** Returns the node as a list of strings: a sequence of strings, or one string. */
    public @Nullable List<String> texts(@Nullable JsonNode n, String path, int max) {
      if (n == null || n.isNull()) {
        return null;
      }
      List<String> out = new ArrayList<>();
      if (n.isTextual()) {
        String s = text(n, path, max);
        if (s != null) {
          out.add(s);
        }
        return out;
      }
      if (!n.isArray()) {
        problems.add(path, "must be a string or a sequence of strings, got " + kind(n));
        return null;
      }
      for (int i = 0; i < n.size(); i++) {
        String s = text(n.get(i), path + "[" + i + "]", max);
        if (s != null) {
          if (out.contains(s)) {
            problems.add(path + "[" + i + "]", "duplicate entry '" + s + "'");
          }
          out.add(s);
        }
      }
      return out;
    }

    /** Returns a sequence node, or null with a problem. */
    public @Nullable JsonNode array(@Nullable JsonNode n, String path) {
      if (n == null || !n.isArray()) {
        problems.add(path, "must be a sequence (list), got " + kind(n));
        return null;
      }
      return n;
    }

    public static String kind(@Nullable JsonNode n) {
      if (n == null || n.isMissingNode()) {
        return "nothing";
      }
      if (n.isNull()) {
        return "null";
      }
      if (n.isObject()) {
        return "a mapping";
      }
      if (n.isArray()) {
        return "a sequence";
      }
      if (n.isTextual()) {
        return "a string";
      }
      if (n.isNumber()) {
        return "a number";
      }
      if (n.isBoolean()) {
        return "a boolean";
      }
      return n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
