package io.shulian.core.policy.mask;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.shulian.core.catalog.Catalog;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.jspecify.annotations.Nullable;

/**
 * Applies masking obligations to JSON payloads while they stream from a parser to a generator, so a
 * payload of any size is masked in constant memory. A payload is one record (an object) or an
 * array of records; field paths ({@code applicant.idNumber}, {@code members[].phone}) apply to each
 * record. Members that no path names are copied unchanged.
 *
 * <p>A structured value (object or array) at a path masked by anything but {@code drop} is replaced
 * by null: a partial mask of a structure has no meaning, and failing closed is the safe choice.
 * Strings, numbers and booleans are masked on their text and written as strings.
 *
 * <p>Duplicate member names are not refused (checking them would cost a third of the speed): each
 * occurrence goes through the same path, so every copy is masked alike.
 *
 * <p>Immutable and thread-safe; each call keeps its own state.
 */
public final class Masker {
  /** Default maximum nesting depth of a payload. */
  public static final int DEFAULT_MAX_DEPTH = 64;

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final Node root;
  private final Map<String, MaskSpec> fields;
  private final byte @Nullable [] hashKey;
  private final JsonFactory factory;

  private Masker(Builder b) {
    this.fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.fields));
    this.hashKey = b.hashKey;
    this.root = new Node();
    for (Map.Entry<String, MaskSpec> e : b.fields.entrySet()) {
      add(root, e.getKey(), e.getValue());
    }
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

  private static final class Node {
    final Map<String, Node> children = new HashMap<>();
    @Nullable Node element;
    @Nullable MaskSpec spec;
  }

  private static void add(Node root, String path, MaskSpec spec) {
    Node n = root;
    for (String seg : path.split("\\.")) {
      boolean arr = seg.endsWith("[]");
      String name = arr ? seg.substring(0, seg.length() - 2) : seg;
      n = n.children.computeIfAbsent(name, k -> new Node());
      if (arr) {
        if (n.element == null) {
          n.element = new Node();
        }
        n = n.element;
      }
    }
    n.spec = n.spec == null ? spec : MaskSpec.stricter(n.spec, spec);
  }

  /** Masks a whole payload held in memory. */
  public byte[] mask(byte[] json) throws MaskingException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(json.length);
    try {
      mask(new ByteArrayInputStream(json), out);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  /**
   * Masks the JSON read from {@code in} and writes it to {@code out} (UTF-8), in constant memory.
   * Neither stream is closed. On failure, part of the output may have been written: discard it.
   *
   * @throws MaskingException if the input is not one valid JSON value or is nested too deeply
   * @throws IOException if reading or writing fails
   */
  public void mask(InputStream in, OutputStream out) throws MaskingException, IOException {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(out, "out");
    State st = new State();
    try (JsonParser p = factory.createParser(in);
        JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
      p.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new MaskingException("INVALID_JSON", "the payload is empty");
      }
      if (t == JsonToken.START_ARRAY) {
        g.writeStartArray();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          if (!dropElement(p, root)) {
            value(p, g, root, st);
          }
        }
        g.writeEndArray();
      } else {
        value(p, g, root, st);
      }
      if (p.nextToken() != null) {
        throw new MaskingException("INVALID_JSON", "data after the JSON value at " + where(p));
      }
    } catch (StreamConstraintsException e) {
      throw new MaskingException("JSON_TOO_DEEP", "the payload exceeds a limit: " + firstLine(e.getOriginalMessage()));
    } catch (java.io.CharConversionException e) {
      // bytes that do not decode in the encoding Jackson detected (e.g. UTF-32 above U+10FFFF)
      throw new MaskingException("INVALID_JSON", "the payload is not valid JSON text: " + firstLine(e.getMessage()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new MaskingException("INVALID_JSON", "the payload is not valid JSON: " + firstLine(e.getOriginalMessage())
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()));
    }
  }

  private static String where(JsonParser p) {
    return "line " + p.currentTokenLocation().getLineNr() + ", column " + p.currentTokenLocation().getColumnNr();
  }

  private static String firstLine(@Nullable String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl > 0 ? s.substring(0, nl) : s;
  }

  private static boolean dropElement(JsonParser p, Node n) throws IOException {
    if (n.spec != null && n.spec.function() == MaskFunction.DROP) {
      p.skipChildren();
      return true;
    }
    return false;
  }

  /** Copies the value at the parser's current token; the recursion is only as deep as the paths. */
  private void value(JsonParser p, JsonGenerator g, @Nullable Node n, State st) throws IOException {
    if (n == null) {
      g.copyCurrentStructure(p);
      return;
    }
    if (n.spec != null) {
      apply(p, g, n.spec, st);
      return;
    }
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT && !n.children.isEmpty()) {
      g.writeStartObject();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        Node c = n.children.get(name);
        p.nextToken();
        if (c == null) {
          g.writeFieldName(name);
          g.copyCurrentStructure(p);
        } else if (!dropElement(p, c)) {
          g.writeFieldName(name);
          value(p, g, c, st);
        }
      }
      g.writeEndObject();
    } else if (t == JsonToken.START_ARRAY && n.element != null) {
      Node e = n.element;
      g.writeStartArray();
      while (p.nextToken() != JsonToken.END_ARRAY) {
        if (!dropElement(p, e)) {
          value(p, g, e, st);
        }
      }
      g.writeEndArray();
    } else {
      g.copyCurrentStructure(p);
    }
  }

  private void apply(JsonParser p, JsonGenerator g, MaskSpec spec, State st) throws IOException {
    JsonToken t = p.currentToken();
    if (spec.function() == MaskFunction.NONE) {
      g.copyCurrentStructure(p);
      return;
    }
    if (t == JsonToken.VALUE_NULL) {
      g.writeNull();
      return;
    }
    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
      p.skipChildren();
      g.writeNull();
      return;
    }
    String text = p.getText();
    g.writeString(maskText(spec, text, st));
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
    int kf = keepFirst;
    int kl = keepLast;
    // A value no longer than what would be kept shows at most half of itself.
    int limit = kf + kl >= n ? n / 2 : n;
    while (kf + kl > limit) {
      if (kf >= kl) {
        kf--;
      } else {
        kl--;
      }
    }
    StringBuilder b = new StringBuilder(s.length());
    int i = 0;
    int cp = 0;
    while (i < s.length()) {
      int c = s.codePointAt(i);
      if (cp < kf || cp >= n - kl) {
        b.appendCodePoint(c);
      } else {
        b.append(maskChar);
      }
      i += Character.charCount(c);
      cp++;
    }
    return b.toString();
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
  }

  /** Builds a {@link Masker}. */
  public static final class Builder {
    private final Map<String, MaskSpec> fields = new LinkedHashMap<>();
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
      if (!Catalog.FIELD_PATH.matcher(path).matches()) {
        throw new IllegalArgumentException("'" + path + "' is not a field path (e.g. applicant.idNumber, members[].phone)");
      }
      fields.merge(path, Objects.requireNonNull(spec, "spec"), MaskSpec::stricter);
      return this;
    }

    /** Adds every mask of the map. */
    public Builder fields(Map<String, MaskSpec> masks) {
      masks.forEach(this::field);
      return this;
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
     * @throws IllegalStateException if a field is hashed but no hash key was set
     */
    public Masker build() {
      for (Map.Entry<String, MaskSpec> e : fields.entrySet()) {
        if (e.getValue().function() == MaskFunction.HASH && hashKey == null) {
          throw new IllegalStateException("field " + e.getKey() + " is masked with hash but no hash key is set");
        }
      }
      return new Masker(this);
    }
  }
}
