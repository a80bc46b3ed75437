package io.shulian.gateway.audit;

import java.util.concurrent.CompletableFuture;

/**
 * Records exchange events durably. The returned future completes when the event is durable; the
 * gateway releases a response only after that, and answers 503 when it fails.
 */
public interface ExchangeAuditor extends AutoCloseable {
  CompletableFuture<Void> record(ExchangeEvent event);

  /** Returns false once the auditor cannot write (the gateway then is not ready and fails closed). */
  boolean writable();

  @Override
  void close();
}
