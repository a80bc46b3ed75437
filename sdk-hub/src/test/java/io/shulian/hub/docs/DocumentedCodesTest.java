package io.shulian.hub.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.envelope.EnvelopeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every code the README and docs/ name in backticks ({@code REPLAYED}, {@code STATE_UNAVAILABLE},
 * an environment variable such as {@code SHULIAN_KEY_PASSWORD}) is spelled somewhere in the
 * sources that produce or read it: the modules' main code and resources, the scripts, deploy/ and
 * the CI entry point. A code renamed in the code but not in the docs, or documented but never produced,
 * fails here.
 */
class DocumentedCodesTest {
  private static final Pattern CODE = Pattern.compile("`([A-Z][A-Z0-9_]*[A-Z0-9])`");
  private static final Pattern TOKEN = Pattern.compile("(?<![A-Za-z0-9_])[A-Z][A-Z0-9_]*[A-Z0-9](?![A-Za-z0-9_])");
  /** Codes the sources build from parts rather than spell, and names that are not Shulian's. */
  private static final Map<String, String> NOT_SPELLED = Map.of(
      "SUBMIT_DONE", "hub review audit outcome: purpose.toUpperCase() + \"_DONE\" (Registry)",
      "APPROVE_DONE", "hub review audit outcome: purpose.toUpperCase() + \"_DONE\" (Registry)",
      "REJECT_DONE", "hub review audit outcome: purpose.toUpperCase() + \"_DONE\" (Registry)",
      "TLS_SM4_GCM_SM3", "the RFC 8998 cipher suite the docs say is not built",
      "MKCOL", "a WebDAV method, refused by the gateway's method allow-list (TargetConfinementEndToEndTest tries PROPFIND)",
      "ASK", "a Redis Cluster redirection (Lettuce follows it)",
      "OOM", "the error Redis answers when full (scale-out.md's failure table)");
  /** The consumer gateway prefixes an envelope rejection of the provider's response with RESPONSE_. */
  private static final String RESPONSE_PREFIX = "RESPONSE_";

  private static boolean isSource(Path p) {
    String s = p.toString();
    return !s.contains("/target/") && !s.contains("/.git/") && (s.contains("/src/main/") || s.contains("/scripts/")
        || s.contains("/benchmarks/") || s.contains("/.ci/") || s.contains("/deploy/") || s.endsWith("pom.xml"));
  }

  static Set<String> sourceTokens() throws IOException {
    Set<String> tokens = new HashSet<>();
    try (Stream<Path> files = Files.walk(DocumentedCommandsTest.ROOT)) {
      for (Path f : files.filter(Files::isRegularFile).filter(DocumentedCodesTest::isSource).toList()) {
        byte[] b = Files.readAllBytes(f);
        if (b.length > 4_000_000) {
          continue;
        }
        Matcher m = TOKEN.matcher(new String(b, StandardCharsets.UTF_8));
        while (m.find()) {
          tokens.add(m.group());
        }
      }
    }
    return tokens;
  }

  @Test
  void codesNamedInReadmeAndDocs_areSpelledInTheSources() throws IOException {
    Set<String> tokens = sourceTokens();
    assertThat(tokens).contains("REPLAYED", "STATE_UNAVAILABLE", "SHULIAN_KEY_PASSWORD");
    Set<String> envelopeCodes = new HashSet<>();
    for (EnvelopeException.Reason r : EnvelopeException.Reason.values()) {
      envelopeCodes.add(r.name());
    }
    Set<String> missing = new TreeSet<>();
    int seen = 0;
    for (Path doc : DocumentedCommandsTest.documents()) {
      Matcher m = CODE.matcher(Files.readString(doc, StandardCharsets.UTF_8));
      while (m.find()) {
        seen++;
        String code = m.group(1);
        boolean derived = code.startsWith(RESPONSE_PREFIX)
            && envelopeCodes.contains(code.substring(RESPONSE_PREFIX.length()));
        if (!tokens.contains(code) && !derived && !NOT_SPELLED.containsKey(code)) {
          missing.add(DocumentedCommandsTest.ROOT.relativize(doc) + ": " + code);
        }
      }
    }
    assertThat(seen).as("codes in backticks in the README and docs").isGreaterThan(200);
    assertThat(missing).as("codes the docs name that no source spells").isEmpty();
    Set<String> spelled = new TreeSet<>(NOT_SPELLED.keySet());
    spelled.retainAll(tokens);
    assertThat(spelled).as("exceptions that are spelled after all (remove them)").isEmpty();
  }
}
