package io.shulian.gateway;

import io.shulian.gateway.audit.ExchangeAuditor;
import io.shulian.gateway.audit.ExchangeEvent;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test auditor: keeps events in memory; can be switched to fail like a full disk. */
final class MemoryAuditor implements ExchangeAuditor {
  final List<ExchangeEvent> events = new CopyOnWriteArrayList<>();
  volatile boolean failing;

  @Override
  public CompletableFuture<Void> record(ExchangeEvent event) {
    if (failing) {
      return CompletableFuture.failedFuture(new IOException("disk full"));
    }
    events.add(event);
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public boolean writable() {
    return !failing;
  }

  @Override
  public void close() {}
}
