package io.shulian.gateway.config;

import io.shulian.core.ShulianException;
import java.util.List;

/** The configuration is invalid; {@link #problems()} lists every problem with its location. */
public final class ConfigException extends ShulianException {
  private static final long serialVersionUID = 1L;
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(problems.size() == 1 ? problems.get(0) : problems.size() + " problems:\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }

  @Override
  public String code() {
    return "BAD_CONFIG";
  }
}
