/**
 * Internal: reads catalog and policy YAML into a JSON tree that remembers the line and column of
 * every node, and computes the RFC 8785 (JCS) canonical JSON that the catalog and policy-set hashes are taken over.
 */
@NullMarked
package io.shulian.core.internal.yaml;

import org.jspecify.annotations.NullMarked;
