/**
 * Tamper-evident audit log of exchanges and decisions: a hash-chained, append-only log with signed
 * RFC 9162 Merkle checkpoints, an offline verifier, inclusion and consistency proofs, and sharing
 * statistics. Format and procedures: {@code docs/audit.md}.
 */
@NullMarked
package io.shulian.core.audit;

import org.jspecify.annotations.NullMarked;
