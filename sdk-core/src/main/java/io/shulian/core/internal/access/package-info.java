/**
 * Access bridge from the API packages to each other's key material and document trees, in the
 * manner of the JDK's {@code SharedSecrets}: what one API package must read from another's types
 * without a public method. Not exported by the module; no embedder code reaches it.
 */
@NullMarked
package io.shulian.core.internal.access;

import org.jspecify.annotations.NullMarked;
