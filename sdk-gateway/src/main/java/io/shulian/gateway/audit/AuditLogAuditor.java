package io.shulian.gateway.audit;

import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.audit.HashAlgorithm;
import java.util.concurrent.CompletableFuture;

/**
 * Writes gateway exchange events to the tamper-evident {@link AuditLog}: the future completes when
 * the record is durable (group commit), and fails, like every later append, once the log cannot be
 * written.
 */
public final class AuditLogAuditor implements ExchangeAuditor {
  private final AuditLog log;
  private final HashAlgorithm hash;

  public AuditLogAuditor(AuditLog log) {
    this.log = log;
    this.hash = log.hashAlgorithm();
  }

  @Override
  public CompletableFuture<Void> record(ExchangeEvent e) {
    AuditRecord r;
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
    } catch (RuntimeException ex) {
      return CompletableFuture.failedFuture(ex);
    }
    return log.append(r).thenApply(seq -> null);
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
