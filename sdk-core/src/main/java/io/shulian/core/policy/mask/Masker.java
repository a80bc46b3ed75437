package io.shulian.core.policy.mask;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.shulian.core.catalog.Catalog;
import java.io.ByteArrayOutputStream;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.jspecify.annotations.Nullable;

/**
 * Applies masking obligations to JSON payloads while they stream from a parser to a generator, so a
 * payload of any size is masked in constant memory. Masking fails closed: a payload that does not
 * have the shape the field paths describe is refused as a whole, never passed through.
 *
 * <p><b>Records.</b> A payload is one record (an object), an array of records (each an object or
 * null), or null. Anything else (a string, a number, nested arrays at the top) is refused with
 * {@code SHAPE_MISMATCH} unless the masker has no field at all.
 *
 * <p><b>Paths.</b> {@code owner.idNumber} means: in each record, member {@code owner}, which must be
 * an object (or null), then its member {@code idNumber}, which must be a string, number, boolean or
 * null. A segment ending in {@code []} ({@code members[].phone}) must be an array whose elements are
 * each what the rest of the path expects (or null). Any other type anywhere on a listed path (an
 * array where an object is expected, an object where an array is expected, a scalar where either is
 * expected, nested arrays, an object or array at a leaf) is refused with {@code SHAPE_MISMATCH}. A
 * {@code drop} leaf removes the member whatever its type. Missing members and nulls pass.
 *
 * <p><b>Listed fields.</b> The paths of the masks plus those declared with {@link
 * Builder#listField} (catalog fields released as they are) describe the record. Members no listed
 * path names are <em>unlisted</em>:
 *
 * <ul>
 *   <li>with {@link Builder#dropUnlisted(boolean) dropUnlisted} they are dropped: the output holds
 *       listed fields only (a projection onto the catalog); the policy engine turns this on for
 *       every resource with an important or core field;
 *   <li>otherwise they are copied, but every member name inside them (and the unlisted name
 *       itself) that aliases a masked path refuses the payload with {@code ALIASED_FIELD}. A name
 *       aliases {@code a.b.c} if, after Unicode NFKC normalisation and case folding, its letters
 *       alone spell {@code c}, {@code bc} or {@code abc} (so {@code "a.b.c"}, {@code "B_C"}, {@code
 *       "Ｃ"}, {@code "b[0].c"} all alias it). This catches wrappers ({@code {"data":{...}}}) and
 *       renamed copies; data renamed beyond that is only kept out by {@code dropUnlisted}.
 * </ul>
 *
 * <p>A listed member that occurs twice in one object is refused ({@code DUPLICATE_FIELD});
 * Jackson decodes escapes first, so {@code "id\u004eumber"} is {@code idNumber}. Unlisted
 * duplicates are copied (or dropped) like any unlisted member.
 *
 * <p><b>Record scope.</b> With {@link Builder#requireDivisionWithin}, every record must carry the
 * named division field with a GB/T 2260 code inside the given division; a record without it, or
 * with another division, refuses the payload ({@code RECORD_OUTSIDE_DIVISION}). The policy engine
 * sets this for return flow, so a lower level receives its own records only.
 *
 * <p>Values no mask applies to are copied exactly: numbers keep their text ({@code 1e400}, {@code
 * -0}, {@code 12345678901234567.89}); strings are re-encoded with the same characters. Strings,
 * numbers and booleans at a masked path are masked on their text and written as strings.
 *
 * <p>Refusal messages name the field path and the position, never a value or a member name from the
 * payload. Immutable and thread-safe; each call keeps its own state.
 */
public final class Masker {
  /** Default maximum nesting depth of a payload. */
  public static final int DEFAULT_MAX_DEPTH = 64;

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final Node root;
  private final Map<String, MaskSpec> fields;
  private final Set<String> listed;
  private final boolean dropUnlisted;
  private final boolean passThrough;
  /** The bits of every scoping leaf: each record must carry all of them. */
  private final long scopeMask;
  private final Map<String, String> scope;
  private final Aliases aliases;
  private final byte @Nullable [] hashKey;
  private final int maxDepth;
  private final JsonFactory factory;

  private Masker(Builder b, Node root) {
    this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(b.fields));
    this.listed = Collections.unmodifiableSet(new LinkedHashSet<>(b.listed));
    this.dropUnlisted = b.dropUnlisted;
    this.hashKey = b.hashKey;
    this.root = root;
    this.passThrough = root.children.isEmpty() && !dropUnlisted;
    this.scope = Collections.unmodifiableMap(new LinkedHashMap<>(b.scope));
    this.scopeMask = b.scope.isEmpty() ? 0 : (1L << b.scope.size()) - 1;
    this.aliases = new Aliases(b.fields);
    this.maxDepth = b.maxDepth;
    freeze(root);
    this.factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(b.maxDepth).build())
        .build();
  }

  /** Starts a masker. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the masks by field path. */
  public Map<String, MaskSpec> fields() {
    return fields;
  }

  /** Returns the fields declared to be released as they are (besides the masked ones). */
  public Set<String> listedFields() {
    return listed;
  }

  /** Returns the division leaves that scope each record, with the digits their values must start with. */
  public Map<String, String> recordScope() {
    return scope;
  }

  /** Returns true if members no listed path names are dropped. */
  public boolean dropsUnlisted() {
    return dropUnlisted;
  }

  /** One step of the listed paths. */
  static final class Node {
    final String path;
    final Map<String, Node> children = new HashMap<>();
    /** The children's names (UTF-8) and nodes, side by side, for {@link ByteMasker}; set by {@link #freeze}. */
    private byte[][] childNames = new byte[0][];
    private Node[] childNodes = new Node[0];
    /** Position among the parent's children, for duplicate detection. */
    final int index;
    @Nullable Node element;
    /** The mask of a leaf; null for an inner node or a leaf released as it is. */
    @Nullable MaskSpec spec;
    boolean leaf;
    /** For a division leaf that scopes the record: the digits its value must start with; else null. */
    @Nullable String within;
    /** The bit of a scoping leaf in {@link State#scopeSeen}. */
    long scopeBit;

    Node(String path, int index) {
      this.path = path;
      this.index = index;
    }

    boolean drops() {
      return spec != null && spec.function() == MaskFunction.DROP;
    }

    byte[][] childNames() {
      return childNames;
    }

    Node[] childNodes() {
      return childNodes;
    }

    String expected() {
      if (leaf) {
        return "a string, number, boolean or null";
      }
      if (!children.isEmpty() && element != null) {
        return "an object or an array";
      }
      return element != null ? "an array" : "an object";
    }
  }

  /** Fills the children's name tables of the built tree. */
  private static void freeze(Node n) {
    n.childNames = new byte[n.children.size()][];
    n.childNodes = new Node[n.children.size()];
    int i = 0;
    for (Map.Entry<String, Node> e : n.children.entrySet()) {
      n.childNames[i] = e.getKey().getBytes(StandardCharsets.UTF_8);
      n.childNodes[i++] = e.getValue();
      freeze(e.getValue());
    }
    if (n.element != null) {
      freeze(n.element);
    }
  }

  Node root() {
    return root;
  }

  long scopeMask() {
    return scopeMask;
  }

  Aliases aliases() {
    return aliases;
  }

  int maxDepth() {
    return maxDepth;
  }

  /** Adds a listed path; returns an error message for a path that is a parent of another, else null. */
  private static @Nullable String add(Node root, String path, @Nullable MaskSpec spec) {
    Node n = root;
    String[] segs = path.split("\\.");
    StringBuilder at = new StringBuilder();
    for (int i = 0; i < segs.length; i++) {
      String seg = segs[i];
      boolean arr = seg.endsWith("[]");
      String name = arr ? seg.substring(0, seg.length() - 2) : seg;
      if (n.leaf) {
        return "field " + n.path + " is a parent of field " + path + "; list leaf fields only";
      }
      at.append(i == 0 ? "" : ".").append(name);
      Node parent = n;
      String p = at.toString();
      n = n.children.computeIfAbsent(name, k -> new Node(p, parent.children.size()));
      if (arr) {
        at.append("[]");
        if (n.leaf) {
          return "field " + n.path + " is a parent of field " + path + "; list leaf fields only";
        }
        if (n.element == null) {
          n.element = new Node(at.toString(), 0);
        }
        n = n.element;
      }
    }
    if (!n.leaf && (!n.children.isEmpty() || n.element != null)) {
      return "field " + path + " is a parent of another listed field; list leaf fields only";
    }
    n.leaf = true;
    if (spec != null) {
      n.spec = n.spec == null ? spec : MaskSpec.stricter(n.spec, spec);
    }
    return null;
  }

  /**
   * Masks a whole payload held in memory. A well-formed payload in UTF-8 is masked by scanning its
   * bytes ({@link ByteMasker}); anything it does not take (every refusal among them) goes through
   * the Jackson parser and generator, with the same output for what both take.
   */
  public byte[] mask(byte[] json) throws MaskingException {
    if (!passThrough) {
      byte[] fast = ByteMasker.mask(this, json);
      if (fast != null) {
        return fast;
      }
    }
    return maskWithJackson(json);
  }

  /**
   * A masker for the records of one JSON Lines stream (one per stream, not thread-safe), which
   * masks each record as {@link #mask(byte[])} does without copying it or allocating per record.
   */
  public RecordMasker recordMasker() {
    return new RecordMasker(this);
  }

  /** Whether this masker copies payloads unchanged (no listed field, unlisted ones kept). */
  boolean passesThrough() {
    return passThrough;
  }

  /** The Jackson path of {@link #mask(byte[])} (the reference the byte scanner must agree with). */
  byte[] maskWithJackson(byte[] json) throws MaskingException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(json.length + 16);
    try (JsonParser p = parser(json, null)) {
      run(p, out);
    } catch (MaskingException e) {
      throw e;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  /**
   * Masks the JSON read from {@code in} and writes it to {@code out} (UTF-8), in constant memory.
   * Neither stream is closed. On failure, part of the output may have been written: discard it.
   *
   * @throws MaskingException if the input is not one valid JSON value ({@code INVALID_JSON}), is
   *     nested too deeply ({@code JSON_TOO_DEEP}) or has a string, name or number over Jackson's
   *     length limits ({@code JSON_TOO_LARGE}), or does not have the shape of the listed paths
   *     ({@code SHAPE_MISMATCH}, {@code ALIASED_FIELD}, {@code DUPLICATE_FIELD})
   * @throws IOException if reading or writing fails
   */
  public void mask(InputStream in, OutputStream out) throws MaskingException, IOException {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(out, "out");
    try (JsonParser p = parser(null, in)) {
      p.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
      run(p, out);
    }
  }

  /** Creates a parser; Jackson detects the encoding here and reports unusable UTF-16/32 forms as CharConversionException. */
  private JsonParser parser(byte @Nullable [] json, @Nullable InputStream in) throws IOException, MaskingException {
    try {
      return json != null ? factory.createParser(json) : factory.createParser(Objects.requireNonNull(in));
    } catch (CharConversionException e) {
      throw new MaskingException(MaskingException.Reason.INVALID_JSON, "the payload is not valid Unicode text");
    }
  }

  private void run(JsonParser p, OutputStream out) throws MaskingException, IOException {
    State st = new State();
    try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      // A refused payload must not be completed with closing brackets behind the caller's back.
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new MaskingException(MaskingException.Reason.INVALID_JSON, "the payload is empty");
      }
      if (passThrough) {
        copy(p, g, false);
      } else {
        top(p, g, st);
      }
      if (p.nextToken() != null) {
        throw new MaskingException(MaskingException.Reason.INVALID_JSON, "data after the JSON value at " + where(p));
      }
    } catch (StreamConstraintsException e) {
      String m = firstLine(e.getOriginalMessage());
      throw new MaskingException(m.contains("nesting depth") ? MaskingException.Reason.JSON_TOO_DEEP : MaskingException.Reason.JSON_TOO_LARGE,
          "the payload exceeds a limit: " + m);
    } catch (JsonProcessingException e) {
      // Jackson's own message may quote the offending token, which can be payload data.
      JsonLocation l = e.getLocation();
      throw new MaskingException(MaskingException.Reason.INVALID_JSON, "the payload is not valid JSON"
          + (l == null ? "" : " at line " + l.getLineNr() + ", column " + l.getColumnNr()));
    } catch (CharConversionException e) {
      // Jackson detects UTF-16 and UTF-32 by their zero bytes and reports bad code units this way.
      throw new MaskingException(MaskingException.Reason.INVALID_JSON, "the payload is not valid Unicode text");
    }
  }

  private static String where(JsonParser p) {
    JsonLocation l = p.currentTokenLocation();
    return "line " + l.getLineNr() + ", column " + l.getColumnNr();
  }

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl > 0 ? s.substring(0, nl) : s;
  }

  private static String kind(JsonToken t) {
    switch (t) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      default:
        return "null";
    }
  }

  private static MaskingException shape(JsonParser p, String what, String expected, JsonToken found) {
    return new MaskingException(MaskingException.Reason.SHAPE_MISMATCH, what + " must be " + expected + ", found " + kind(found) + " at "
        + where(p));
  }

  /** The top-level value: a record, an array of records, or null. */
  private void top(JsonParser p, JsonGenerator g, State st) throws IOException, MaskingException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      record(p, g, st);
    } else if (t == JsonToken.START_ARRAY) {
      g.writeStartArray();
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t == JsonToken.START_OBJECT) {
          record(p, g, st);
        } else if (t == JsonToken.VALUE_NULL) {
          g.writeNull();
        } else {
          throw shape(p, "a record in the top-level array", "an object or null", t);
        }
      }
      g.writeEndArray();
    } else if (t == JsonToken.VALUE_NULL) {
      g.writeNull();
    } else {
      throw shape(p, "the payload", "a record (an object), an array of records or null", t);
    }
  }

  /** One record; with a record scope, it must carry every scoping division leaf. */
  private void record(JsonParser p, JsonGenerator g, State st) throws IOException, MaskingException {
    st.scopeSeen = 0;
    object(p, g, root, st);
    if (st.scopeSeen != scopeMask) {
      throw new MaskingException(MaskingException.Reason.RECORD_OUTSIDE_DIVISION, "a record ending at " + where(p)
          + " lacks one of the division fields " + scope + " that show it lies within the requester's division");
    }
  }

  /** An object at an inner node; the parser is at its START_OBJECT. */
  private void object(JsonParser p, JsonGenerator g, Node n, State st) throws IOException, MaskingException {
    g.writeStartObject();
    SeenMembers seen = new SeenMembers();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      Node c = n.children.get(name);
      p.nextToken();
      if (c == null) {
        unlisted(p, g, name);
        continue;
      }
      if (seen.repeated(c, n.children.size())) {
        throw new MaskingException(MaskingException.Reason.DUPLICATE_FIELD, "member " + c.path + " occurs twice in one object at " + where(p));
      }
      if (c.within != null) {
        checkWithin(p, c);
        st.scopeSeen |= c.scopeBit;
      }
      if (c.drops()) {
        p.skipChildren();
        continue;
      }
      g.writeFieldName(name);
      value(p, g, c, st);
    }
    g.writeEndObject();
  }

  /** Refuses a scoping division leaf whose value is not a division code within the node's prefix. */
  private static void checkWithin(JsonParser p, Node c) throws IOException, MaskingException {
    JsonToken t = p.currentToken();
    String prefix = java.util.Objects.requireNonNull(c.within);
    if (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT) {
      String v = p.getText();
      int n = v.length();
      if ((n == 6 || n == 9 || n == 12) && v.startsWith(prefix) && digits(v)) {
        return;
      }
    }
    throw new MaskingException(MaskingException.Reason.RECORD_OUTSIDE_DIVISION, "field " + c.path + " at " + where(p)
        + " is not a division code within " + prefix + "; the record is not the requester's to receive");
  }

  private static boolean digits(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** The value of a listed member (or array element); the parser is at its first token. */
  private void value(JsonParser p, JsonGenerator g, Node n, State st) throws IOException, MaskingException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) {
      g.writeNull();
      return;
    }
    if (n.leaf) {
      if (t.isStructStart()) {
        throw shape(p, "field " + n.path, n.expected(), t);
      }
      MaskSpec s = n.spec;
      if (s == null || s.function() == MaskFunction.NONE) {
        scalar(p, g, t);
      } else {
        g.writeString(maskText(s, p.getText(), st));
      }
    } else if (t == JsonToken.START_OBJECT && !n.children.isEmpty()) {
      object(p, g, n, st);
    } else if (t == JsonToken.START_ARRAY && n.element != null) {
      Node e = n.element;
      g.writeStartArray();
      while (p.nextToken() != JsonToken.END_ARRAY) {
        if (e.drops()) {
          p.skipChildren();
        } else {
          value(p, g, e, st);
        }
      }
      g.writeEndArray();
    } else {
      throw shape(p, (n.path.endsWith("[]") ? "each element of " : "field ") + n.path, n.expected(), t);
    }
  }

  /** A member no listed path names; the parser is at its value. */
  private void unlisted(JsonParser p, JsonGenerator g, String name) throws IOException, MaskingException {
    if (dropUnlisted) {
      p.skipChildren();
      return;
    }
    aliases.check(name, p);
    g.writeFieldName(name);
    copy(p, g, true);
  }

  /** Copies the value at the current token exactly; with {@code check}, refuses names aliasing a masked path. */
  private void copy(JsonParser p, JsonGenerator g, boolean check) throws IOException, MaskingException {
    JsonToken t = p.currentToken();
    int depth = 0;
    while (true) {
      switch (t) {
        case START_OBJECT:
          g.writeStartObject();
          depth++;
          break;
        case START_ARRAY:
          g.writeStartArray();
          depth++;
          break;
        case END_OBJECT:
          g.writeEndObject();
          depth--;
          break;
        case END_ARRAY:
          g.writeEndArray();
          depth--;
          break;
        case FIELD_NAME:
          String name = p.currentName();
          if (check) {
            aliases.check(name, p);
          }
          g.writeFieldName(name);
          break;
        default:
          scalar(p, g, t);
      }
      if (depth == 0) {
        return;
      }
      t = p.nextToken();
      if (t == null) {
        throw new MaskingException(MaskingException.Reason.INVALID_JSON, "the payload ends inside a value");
      }
    }
  }

  /** Writes a scalar exactly: numbers by their text, strings by their characters. */
  private static void scalar(JsonParser p, JsonGenerator g, JsonToken t) throws IOException, MaskingException {
    switch (t) {
      case VALUE_STRING:
        g.writeString(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
        break;
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        g.writeNumber(p.getText());
        break;
      case VALUE_TRUE:
        g.writeBoolean(true);
        break;
      case VALUE_FALSE:
        g.writeBoolean(false);
        break;
      case VALUE_NULL:
        g.writeNull();
        break;
      default:
        throw new MaskingException(MaskingException.Reason.INVALID_JSON, "unexpected " + t + " at " + where(p));
    }
  }

  /**
   * The names that alias a masked path: for {@code a.b[].c}, the letters of {@code c}, {@code bc}
   * and {@code abc}, case-folded. Matching a member name needs no allocation when it is ASCII.
   */
  static final class Aliases {
    private final Map<String, String> byName = new HashMap<>();
    private final int[] hashes;
    private final String[] names;

    Aliases(Map<String, MaskSpec> masks) {
      for (Map.Entry<String, MaskSpec> e : masks.entrySet()) {
        if (e.getValue().function() == MaskFunction.NONE) {
          continue;
        }
        String[] segs = e.getKey().replace("[]", "").split("\\.");
        String suffix = "";
        for (int i = segs.length - 1; i >= 0; i--) {
          suffix = normalize(segs[i]) + suffix;
          if (!suffix.isEmpty()) {
            byName.putIfAbsent(suffix, e.getKey());
          }
        }
      }
      List<String> sorted = new ArrayList<>(byName.keySet());
      sorted.sort((a, b) -> Integer.compare(a.hashCode(), b.hashCode()));
      this.names = sorted.toArray(new String[0]);
      this.hashes = new int[names.length];
      for (int i = 0; i < names.length; i++) {
        hashes[i] = names[i].hashCode();
      }
    }

    void check(String name, JsonParser p) throws MaskingException {
      String path = match(name);
      if (path != null) {
        throw new MaskingException(MaskingException.Reason.ALIASED_FIELD, "an unlisted member at " + where(p) + " is named like masked field "
            + path + "; the response does not have the catalog's shape");
      }
    }

    /** Returns the masked path the name aliases, or null. */
    @Nullable String match(String name) {
      if (names.length == 0) {
        return null;
      }
      int h = 0;
      int len = 0;
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        if (c >= 0x80) {
          return byName.get(normalize(name));
        }
        if (c >= 'A' && c <= 'Z') {
          c += 'a' - 'A';
        } else if (c < 'a' || c > 'z') {
          continue;
        }
        h = 31 * h + c;
        len++;
      }
      int i = Arrays.binarySearch(hashes, h);
      if (i < 0) {
        return null;
      }
      while (i > 0 && hashes[i - 1] == h) {
        i--;
      }
      for (; i < hashes.length && hashes[i] == h; i++) {
        if (names[i].length() == len && names[i].equals(normalize(name))) {
          return byName.get(names[i]);
        }
      }
      return null;
    }

    /** NFKC, then case folding (upper then lower, so that dotless and dotted i meet), then letters only. */
    static String normalize(String s) {
      String n = Normalizer.normalize(s, Normalizer.Form.NFKC).toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
      n = Normalizer.normalize(n, Normalizer.Form.NFKC);
      StringBuilder b = new StringBuilder(n.length());
      for (int i = 0; i < n.length(); ) {
        int cp = n.codePointAt(i);
        if (Character.isLetter(cp)) {
          b.appendCodePoint(cp);
        }
        i += Character.charCount(cp);
      }
      return b.toString();
    }
  }

  String maskText(MaskSpec spec, String text, State st) {
    switch (spec.function()) {
      case HASH:
        return hash(spec, text, st);
      case ADDRESS:
        return address(text, spec.maskChar());
      default:
        return partial(text, spec.keepFirst(), spec.keepLast(), spec.maskChar());
    }
  }

  /** Masks one value outside a payload (for tests and tools). */
  public String maskValue(String path, String value) {
    MaskSpec s = fields.get(path);
    if (s == null) {
      return value;
    }
    return maskText(s, value, new State());
  }

  /**
   * Keeps the first and last characters (by code point) and replaces the rest, one mask character
   * each. A value not longer than the kept counts shows at most half of its characters.
   */
  static String partial(String s, int keepFirst, int keepLast, char maskChar) {
    int n = s.codePointCount(0, s.length());
    int kept = kept(n, keepFirst, keepLast);
    int kf = keptFirst(kept, keepFirst, keepLast);
    int kl = kept - kf;
    // the kept ends are copied whole; the code points between them become one mask character each
    int masked = n - kf - kl;
    int from = s.offsetByCodePoints(0, kf);
    int to = s.offsetByCodePoints(from, masked);
    StringBuilder b = new StringBuilder(from + masked + s.length() - to);
    b.append(s, 0, from);
    for (int i = 0; i < masked; i++) {
      b.append(maskChar);
    }
    return b.append(s, to, s.length()).toString();
  }

  /**
   * How many characters partial masking keeps of a value of {@code n}: a value no longer than the
   * kept counts shows at most half of itself.
   */
  static int kept(int n, int keepFirst, int keepLast) {
    return Math.min(keepFirst + keepLast, keepFirst + keepLast >= n ? n / 2 : n);
  }

  /** How many of the {@code kept} characters are at the start: the longer end gives way first (the first end on a tie). */
  static int keptFirst(int kept, int keepFirst, int keepLast) {
    int kf = keepFirst;
    int kl = keepLast;
    while (kf + kl > kept) {
      if (kf >= kl) {
        kf--;
      } else {
        kl--;
      }
    }
    return kf;
  }

  static String address(String s, char maskChar) {
    int cut = -1;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '区' || c == '县' || c == '旗') {
        cut = i + 1;
        break;
      }
    }
    if (cut < 0) {
      cut = s.lastIndexOf('市') + 1;
    }
    String keep = cut > 0 && cut < s.length() ? s.substring(0, cut) : "";
    return keep + String.valueOf(maskChar).repeat(4);
  }

  private String hash(MaskSpec spec, String text, State st) {
    byte[] key = hashKey;
    if (key == null) {
      throw new IllegalStateException("no hash key");
    }
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    byte[] out;
    if (spec.algorithm().equals("hmac-sm3")) {
      if (st.sm3 == null) {
        st.sm3 = new HMac(new SM3Digest());
        st.sm3.init(new KeyParameter(key));
      }
      out = new byte[32];
      st.sm3.update(data, 0, data.length);
      st.sm3.doFinal(out, 0);
    } else {
      try {
        if (st.sha256 == null) {
          st.sha256 = Mac.getInstance("HmacSHA256");
          st.sha256.init(new SecretKeySpec(key, "HmacSHA256"));
        }
        out = st.sha256.doFinal(data);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 unavailable", e);
      }
    }
    return B64.encodeToString(out);
  }

  /** Per-call state: MAC instances are not thread-safe. */
  static final class State {
    @Nullable Mac sha256;
    @Nullable HMac sm3;
    /** The scoping leaves the current record has carried. */
    long scopeSeen;
  }

  /** Builds a {@link Masker}. */
  public static final class Builder {
    private final Map<String, MaskSpec> fields = new LinkedHashMap<>();
    private final Set<String> listed = new LinkedHashSet<>();
    private final Map<String, String> scope = new LinkedHashMap<>();
    private boolean dropUnlisted;
    private byte @Nullable [] hashKey;
    private int maxDepth = DEFAULT_MAX_DEPTH;

    private Builder() {}

    /**
     * Masks the field at {@code path} with {@code spec}; a second spec for the same path merges to
     * the stricter one.
     *
     * @throws IllegalArgumentException if the path is not a field path
     */
    public Builder field(String path, MaskSpec spec) {
      checkPath(path);
      fields.merge(path, Objects.requireNonNull(spec, "spec"), MaskSpec::stricter);
      return this;
    }

    /** Adds every mask of the map. */
    public Builder fields(Map<String, MaskSpec> masks) {
      masks.forEach(this::field);
      return this;
    }

    /**
     * Lists a field the record may carry unmasked (a catalog field the decision releases as it is):
     * its path is checked for shape like a masked one, and it survives {@link #dropUnlisted}.
     *
     * @throws IllegalArgumentException if the path is not a field path
     */
    public Builder listField(String path) {
      checkPath(path);
      listed.add(path);
      return this;
    }

    /** Lists every field of the collection (see {@link #listField}). */
    public Builder listFields(Collection<String> paths) {
      paths.forEach(this::listField);
      return this;
    }

    /**
     * Drops every member that no masked or listed path names, so the output holds the catalog's
     * fields only (default off: unlisted members are copied, and refused if named like a masked
     * field).
     */
    public Builder dropUnlisted(boolean drop) {
      this.dropUnlisted = drop;
      return this;
    }

    /**
     * Binds each record to a division: the field at {@code path} (an object path, no {@code []})
     * must be in every record and hold a GB/T 2260 code (6, 9 or 12 digits, as a string or integer)
     * starting with {@code prefix}; otherwise the payload is refused ({@code RECORD_OUTSIDE_DIVISION}).
     * The field is listed; a {@code drop} mask on it still drops it after the check.
     *
     * @throws IllegalArgumentException if the path is not an object path or the prefix not 2-12 digits
     */
    public Builder requireDivisionWithin(String path, String prefix) {
      checkPath(path);
      if (path.contains("[]")) {
        throw new IllegalArgumentException("a record's division is an object path, not inside an array: " + path);
      }
      if (!prefix.matches("[0-9]{2,12}")) {
        throw new IllegalArgumentException("a division prefix is 2-12 digits, got '" + prefix + "'");
      }
      if (!scope.containsKey(path) && scope.size() == 63) {
        throw new IllegalArgumentException("at most 63 division fields scope a record");
      }
      scope.put(path, prefix);
      listed.add(path);
      return this;
    }

    private static void checkPath(String path) {
      if (!Catalog.FIELD_PATH.matcher(path).matches()) {
        throw new IllegalArgumentException("'" + path + "' is not a field path (e.g. applicant.idNumber, members[].phone)");
      }
    }

    /** Sets the provider secret for {@code hash} (at least 16 bytes; copied). */
    public Builder hashKey(byte[] key) {
      if (key.length < 16) {
        throw new IllegalArgumentException("hash key must have at least 16 bytes, got " + key.length);
      }
      this.hashKey = key.clone();
      return this;
    }

    /** Sets the maximum nesting depth of a payload (1-1000, default 64). */
    public Builder maxDepth(int depth) {
      if (depth < 1 || depth > 1000) {
        throw new IllegalArgumentException("maxDepth must be 1-1000, got " + depth);
      }
      this.maxDepth = depth;
      return this;
    }

    /**
     * Builds the masker.
     *
     * @throws MissingHashKeyException if a field is hashed but no hash key was set
     * @throws IllegalArgumentException if a masked or listed field is the parent of another
     */
    public Masker build() {
      if (hashKey == null) {
        List<String> hashed = new ArrayList<>();
        for (Map.Entry<String, MaskSpec> e : fields.entrySet()) {
          if (e.getValue().function() == MaskFunction.HASH) {
            hashed.add("field " + e.getKey());
          }
        }
        if (!hashed.isEmpty()) {
          throw new MissingHashKeyException(hashed, "Masker.Builder.hashKey (or PolicyEngine.Builder.maskHashKey)");
        }
      }
      Node root = new Node("", 0);
      for (Map.Entry<String, MaskSpec> e : fields.entrySet()) {
        String problem = add(root, e.getKey(), e.getValue());
        if (problem != null) {
          throw new IllegalArgumentException(problem);
        }
      }
      for (String path : listed) {
        String problem = add(root, path, null);
        if (problem != null) {
          throw new IllegalArgumentException(problem);
        }
      }
      int bit = 0;
      for (Map.Entry<String, String> e : scope.entrySet()) {
        Node n = root;
        for (String seg : e.getKey().split("\\.")) {
          n = java.util.Objects.requireNonNull(n.children.get(seg));
        }
        n.within = e.getValue();
        n.scopeBit = 1L << bit++;
      }
      return new Masker(this, root);
    }
  }
}
