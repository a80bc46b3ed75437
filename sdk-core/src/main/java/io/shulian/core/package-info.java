/**
 * Shulian SDK core: the root exception type shared by every stage. The stages themselves live in
 * {@code party}, {@code keys}, {@code envelope}, {@code trust} (and later catalog, policy, audit).
 */
@NullMarked
package io.shulian.core;

import org.jspecify.annotations.NullMarked;
