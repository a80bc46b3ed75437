package io.shulian.gateway.docs;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The statuses a module's sources answer each problem code with, where the code fixes one:
 * {@code HttpResponseStatus.CONFLICT, "REPLAYED"} or {@code case "A", "B" -> HttpResponseStatus.CONFLICT}.
 * The docs-vs-code tests of the gateway and the hub compare the docs' status/code pairs with it.
 */
public final class SourceStatuses {
  private static final Pattern PAIR = Pattern.compile("HttpResponseStatus\\.([A-Z_]+)\\s*,\\s*\"([A-Z][A-Z0-9_]+)\"");
  private static final Pattern CASE = Pattern.compile(
      "case ((?:\"[A-Z][A-Z0-9_]+\"(?:,\\s*)?)+)\\s*->\\s*HttpResponseStatus\\.([A-Z_]+)");

  private SourceStatuses() {}

  /** Code → the statuses the Java sources under {@code mainJava} answer it with. */
  public static Map<String, Set<Integer>> of(Path mainJava) throws IOException {
    Map<String, Integer> statuses = new HashMap<>();
    for (Field f : HttpResponseStatus.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == HttpResponseStatus.class) {
        try {
          statuses.put(f.getName(), ((HttpResponseStatus) f.get(null)).code());
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    Map<String, Set<Integer>> pairs = new TreeMap<>();
    try (Stream<Path> files = Files.walk(mainJava)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String src = Files.readString(f, StandardCharsets.UTF_8);
        Matcher m = PAIR.matcher(src);
        while (m.find()) {
          pairs.computeIfAbsent(m.group(2), k -> new TreeSet<>()).add(status(statuses, m.group(1), f));
        }
        Matcher c = CASE.matcher(src);
        while (c.find()) {
          for (String code : c.group(1).replace("\"", "").split(",\\s*")) {
            pairs.computeIfAbsent(code, k -> new TreeSet<>()).add(status(statuses, c.group(2), f));
          }
        }
      }
    }
    return pairs;
  }

  private static int status(Map<String, Integer> statuses, String name, Path file) {
    Integer s = statuses.get(name);
    if (s == null) {
      throw new AssertionError(file.getFileName() + ": HttpResponseStatus." + name + " is no status");
    }
    return s;
  }
}
