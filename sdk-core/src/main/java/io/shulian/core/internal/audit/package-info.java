/**
 * Wire format and hashing of the audit log: record and segment framing, RFC 9162 Merkle tree
 * hashing and proofs, checkpoint encoding. Not API: use {@code io.shulian.core.audit}.
 */
@NullMarked
package io.shulian.core.internal.audit;

import org.jspecify.annotations.NullMarked;
