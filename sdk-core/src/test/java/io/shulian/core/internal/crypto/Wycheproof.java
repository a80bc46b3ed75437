package io.shulian.core.internal.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Loads a C2SP/wycheproof test vector file (schema v1: {@code testGroups[].tests[]} with {@code
 * tcId}, {@code result} and {@code flags}) vendored under {@code /vectors/wycheproof/}. Modelled on
 * tink-java's WycheproofTestUtil: the file is checked to hold as many tests as it says it does, so
 * that a truncated copy cannot pass quietly.
 */
final class Wycheproof {
  /** The expected outcome of one test case. */
  enum Result {
    VALID,
    INVALID,
    /** Either outcome is allowed; the flags say why (legacy encodings, weak but legal keys, ...). */
    ACCEPTABLE
  }

  /** One test case together with the group that carries its key and parameters. */
  static final class Case {
    final String file;
    final JsonNode group;
    final JsonNode test;

    Case(String file, JsonNode group, JsonNode test) {
      this.file = file;
      this.group = group;
      this.test = test;
    }

    int tcId() {
      return test.get("tcId").asInt();
    }

    Result result() {
      return Result.valueOf(test.get("result").asText().toUpperCase(java.util.Locale.ROOT));
    }

    Set<String> flags() {
      Set<String> out = new LinkedHashSet<>();
      test.path("flags").forEach(f -> out.add(f.asText()));
      return Collections.unmodifiableSet(out);
    }

    String comment() {
      return test.path("comment").asText("");
    }

    /** A hex field of the test case. */
    byte[] hex(String field) {
      return Wycheproof.hex(required(test, field));
    }

    /** A hex field of the group, e.g. {@code groupHex("publicKey", "pk")}. */
    byte[] groupHex(String... path) {
      JsonNode n = group;
      for (String p : path) {
        n = required(n, p);
      }
      return Wycheproof.hex(n);
    }

    int groupInt(String field) {
      return required(group, field).asInt();
    }

    String groupText(String field) {
      return required(group, field).asText();
    }

    @Override
    public String toString() {
      return file + " tcId " + tcId() + " (" + test.get("result").asText() + ", " + flags()
          + (comment().isEmpty() ? "" : ", \"" + comment() + "\"") + ")";
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  final String file;
  final String algorithm;
  final List<Case> cases;

  private Wycheproof(String file, String algorithm, List<Case> cases) {
    this.file = file;
    this.algorithm = algorithm;
    this.cases = cases;
  }

  /** Loads {@code /vectors/wycheproof/<file>} from the test class path. */
  static Wycheproof load(String file) {
    JsonNode root = readJson("/vectors/wycheproof/" + file);
    List<Case> cases = new ArrayList<>();
    for (JsonNode group : required(root, "testGroups")) {
      for (JsonNode test : required(group, "tests")) {
        cases.add(new Case(file, group, test));
      }
    }
    int declared = required(root, "numberOfTests").asInt();
    if (declared != cases.size()) {
      throw new IllegalStateException(
          file + " declares " + declared + " tests but holds " + cases.size());
    }
    return new Wycheproof(file, required(root, "algorithm").asText(), List.copyOf(cases));
  }

  /** Reads any vendored JSON file from the test class path. */
  static JsonNode readJson(String resource) {
    try (InputStream in = Wycheproof.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] hex(JsonNode n) {
    return HexFormat.of().parseHex(n.asText());
  }

  static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  static JsonNode required(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalStateException("vector field '" + field + "' is missing");
    }
    return v;
  }
}
