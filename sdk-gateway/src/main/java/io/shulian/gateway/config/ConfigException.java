package io.shulian.gateway.config;

import io.shulian.core.ErrorCode;
import io.shulian.core.ShulianException;
import java.util.List;

/** The configuration is invalid; {@link #problems()} lists every problem with its location. */
public final class ConfigException extends ShulianException {
  private static final long serialVersionUID = 1L;

  /** Why a configuration was refused; one reason today, an enum like every area's. */
  public enum Reason implements ErrorCode {
    BAD_CONFIG
  }
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(Reason.BAD_CONFIG, problems.size() == 1 ? problems.get(0) : problems.size() + " problems:\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }

  public Reason reason() {
    return (Reason) errorCode();
  }
}
