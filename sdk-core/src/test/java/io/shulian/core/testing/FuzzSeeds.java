package io.shulian.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Reads the committed seed corpus of a Jazzer {@code @FuzzTest} from the test class path. */
public final class FuzzSeeds {
  private FuzzSeeds() {}

  /**
   * Returns the seed files of {@code method} of {@code testClass}, by file name: Jazzer's layout,
   * {@code <package>/<Class>Inputs/<method>/}.
   */
  public static Map<String, byte[]> of(Class<?> testClass, String method) {
    String dir = "/" + testClass.getName().replace('.', '/') + "Inputs/" + method;
    URL u = testClass.getResource(dir);
    if (u == null || !"file".equals(u.getProtocol())) {
      throw new IllegalStateException("seed directory " + dir + " is missing");
    }
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(Path.of(u.toURI()))) {
      for (Path p : (Iterable<Path>) files::iterator) {
        out.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }
}
