package io.shulian.gateway.state;

import java.util.ArrayList;
import java.util.List;

/** What a test started (servers, gateways, processes), closed in reverse order after it, each even if one fails. */
public final class Resources implements AutoCloseable {
  private final List<AutoCloseable> started = new ArrayList<>();

  /** Closes {@code c} with the others; returns it. */
  public <T extends AutoCloseable> T add(T c) {
    started.add(c);
    return c;
  }

  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        // the others are still closed
      }
    }
    started.clear();
  }
}
