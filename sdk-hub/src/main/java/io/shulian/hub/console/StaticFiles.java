package io.shulian.hub.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The console's files: a fixed map from the request path, exactly as sent (not decoded), to a
 * classpath resource read once at start. Nothing from the URL reaches the classpath or the file
 * system, so {@code ..}, encoded dots, backslashes, doubled slashes or NUL find nothing (404).
 * Immutable.
 */
final class StaticFiles {
  /** A file: its bytes and content type. */
  record File(byte[] bytes, String contentType) {}

  private static final String HTML = "text/html; charset=utf-8";
  private static final String JS = "text/javascript; charset=utf-8";
  private static final String CSS = "text/css; charset=utf-8";
  static final String ECHARTS = "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";

  private final Map<String, File> files;

  private StaticFiles(Map<String, File> files) {
    this.files = files;
  }

  /** Loads every file of the allow-list. @throws UncheckedIOException if one is missing from the jar */
  static StaticFiles load() {
    File index = read("io/shulian/hub/console/index.html", HTML);
    return new StaticFiles(Map.of(
        "/console/", index,
        "/console/index.html", index,
        "/console/app.js", read("io/shulian/hub/console/app.js", JS),
        "/console/console.css", read("io/shulian/hub/console/console.css", CSS),
        "/console/vendor/echarts.min.js", read(ECHARTS, JS)));
  }

  /** The file served at the raw request path {@code rawPath} (query removed), or null. */
  @Nullable File get(String rawPath) {
    return files.get(rawPath);
  }

  private static File read(String resource, String type) {
    try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new UncheckedIOException(new IOException("console resource missing from the jar: " + resource));
      }
      return new File(in.readAllBytes(), type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
