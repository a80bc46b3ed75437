package io.shulian.core.internal.jose;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Header JSON, parsed strictly: at most {@link #MAX_DEPTH} levels of nesting, at most
 * {@link #MAX_HEADER_BYTES} bytes, no duplicate member names (a classic JOSE ambiguity), a single
 * JSON object and nothing after it.
 */
public final class Json {
  public static final int MAX_DEPTH = 4;
  public static final int MAX_HEADER_BYTES = 8 * 1024;

  private static final ObjectMapper MAPPER = createMapper();

  private Json() {}

  private static ObjectMapper createMapper() {
    JsonFactory f =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(MAX_HEADER_BYTES)
                    .maxNumberLength(20)
                    .build())
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    ObjectMapper m = new ObjectMapper(f);
    m.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    m.enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
    m.disable(JsonParser.Feature.ALLOW_COMMENTS);
    return m;
  }

  /** Thrown when header JSON is malformed, too deep, too large, or not an object. */
  public static final class JsonException extends Exception {
    private static final long serialVersionUID = 1L;

    JsonException(String message) {
      super(message, null, false, false);
    }
  }

  public static ObjectNode parseObject(byte[] utf8, int off, int len) throws JsonException {
    if (len > MAX_HEADER_BYTES) {
      throw new JsonException("header JSON is larger than " + MAX_HEADER_BYTES + " bytes");
    }
    JsonNode n;
    try {
      n = MAPPER.readTree(utf8, off, len);
    } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
      throw new JsonException("header JSON exceeds limits (nesting deeper than " + MAX_DEPTH + " or too long)");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      String m = e.getOriginalMessage();
      throw new JsonException(m != null && m.startsWith("Duplicate field")
          ? "header JSON has a duplicate member name"
          : "header is not valid JSON");
    } catch (IOException e) {
      throw new JsonException("header is not valid JSON");
    }
    if (n == null || !n.isObject()) {
      throw new JsonException("header JSON is not an object");
    }
    return (ObjectNode) n;
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  public static byte[] write(ObjectNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
