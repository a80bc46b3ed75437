/**
 * Internal: reads catalog and policy YAML into a JSON tree that remembers the line and column of
 * every node, and computes the canonical JSON form that the policy-set version hash is taken over.
 */
@NullMarked
package io.shulian.core.internal.yaml;

import org.jspecify.annotations.NullMarked;
