/**
 * Bounded reading of files and streams that an operator or a peer supplies: every whole-file read
 * has a size limit that holds for huge, growing and endless inputs.
 */
@NullMarked
package io.shulian.core.io;

import org.jspecify.annotations.NullMarked;
