package io.shulian.core.audit;

/**
 * A record as read back from a log, with the sequence number the log gave it (0 for the first
 * record; it is also the record's leaf index in the Merkle tree).
 */
public record AuditEntry(long seq, AuditRecord record) {}
