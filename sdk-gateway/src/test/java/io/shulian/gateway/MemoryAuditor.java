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
  /** The event loop the first event was recorded on (a gateway audits on the connection's loop), or null. */
  final java.util.concurrent.atomic.AtomicReference<io.netty.util.concurrent.EventExecutor> firstLoop =
      new java.util.concurrent.atomic.AtomicReference<>();

  @Override
  public CompletableFuture<Void> record(ExchangeEvent event) {
    firstLoop.compareAndSet(null, io.netty.util.internal.ThreadExecutorMap.currentExecutor());
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
