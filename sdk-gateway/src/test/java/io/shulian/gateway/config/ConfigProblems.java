package io.shulian.gateway.config;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Loads a minimal config (whose keystore is missing, so loading always fails) with extra lines. */
final class ConfigProblems {
  private ConfigProblems() {}

  static ConfigException load(Path dir, String... lines) throws Exception {
    Path f = dir.resolve("gw.yaml");
    StringBuilder b = new StringBuilder("identity: { keystore: missing.p12 }\nconsumer: { listen: 127.0.0.1:0 }\n");
    for (String l : lines) {
      b.append(l).append('\n');
    }
    Files.writeString(f, b);
    return catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(f, Map.<String, String>of()::get));
  }
}
