package io.shulian.gateway.audit;

import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.audit.HashAlgorithm;
import java.util.concurrent.CompletableFuture;

/**
 * Writes gateway exchange events to the tamper-evident {@link AuditLog}: a request record (REQUEST_OUT
 * at the consumer, REQUEST_IN at the provider) with the request payload's digest and size, and for an
 * exchange that released a response a response record (RESPONSE_IN, RESPONSE_OUT) with the response
 * payload's, both under the request's envelope id. The future completes when every record is
 * durable (group commit), and fails, like every later append, once the log cannot be written.
 */
public final class AuditLogAuditor implements ExchangeAuditor {
  private final AuditLog log;
  private final HashAlgorithm hash;

  public AuditLogAuditor(AuditLog log) {
    this.log = log;
    this.hash = log.hashAlgorithm();
  }

  /** Asks the log for a checkpoint over every record appended so far (the Kafka shipper's, see AuditLog#checkpoint). */
  public CompletableFuture<io.shulian.core.audit.Checkpoint> checkpoint() {
    return log.checkpoint();
  }

  @Override
  public CompletableFuture<Void> record(ExchangeEvent e) {
    AuditRecord r;
    AuditRecord response = null;
    try {
      AuditDecision.Builder d = AuditDecision.builder(e.permitted ? AuditDecision.Effect.PERMIT : AuditDecision.Effect.DENY)
          .ruleIds(e.ruleIds)
          .obligations(e.obligations)
          .policyVersionHash(e.policyVersion)
          .reasonCodes(e.reasons);
      r = AuditRecord.builder()
          .time(e.time)
          .envelopeId(e.envelopeId)
          .direction(Direction.valueOf(e.direction.name()))
          .sender(e.sender)
          .receiver(e.receiver)
          .resource(e.resource)
          .purpose(e.purpose)
          .grantId(e.grantId.isEmpty() ? null : e.grantId)
          .decision(d.build())
          .payloadDigest(hash, e.payloadDigest)
          .payloadBytes(e.payloadBytes)
          .status(e.status)
          .outcome(e.outcome)
          .latency(e.latency)
          .app(e.app)
          .request(e.method, e.path)
          .build();
      if (e.hasResponse()) {
        response = r.toBuilder()
            .direction(r.direction() == Direction.REQUEST_IN ? Direction.RESPONSE_OUT : Direction.RESPONSE_IN)
            .sender(e.receiver)
            .receiver(e.sender)
            .payloadDigest(hash, e.responseDigest)
            .payloadBytes(e.responseBytes)
            .transfer(e.transfer == null ? null
                : new io.shulian.core.audit.AuditRecord.Transfer(e.transfer.records(), e.transfer.segments(),
                    e.transfer.complete()))
            .build();
      }
    } catch (RuntimeException ex) {
      return CompletableFuture.failedFuture(ex);
    }
    CompletableFuture<Long> request = log.append(r);
    if (response == null) {
      return request.thenApply(seq -> null);
    }
    return CompletableFuture.allOf(request, log.append(response));
  }

  @Override
  public boolean writable() {
    return log.failure().isEmpty();
  }

  @Override
  public void close() {
    log.close();
  }
}
