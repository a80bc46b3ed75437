/**
 * Internal: the cryptographic primitives behind the suites, on Bouncy Castle's fast low-level code
 * and the JDK's AES-GCM intrinsics. Not an API; embedders must not use it.
 */
@NullMarked
package io.shulian.core.internal.crypto;

import org.jspecify.annotations.NullMarked;
