/**
 * Bounded reading of files and streams that an operator or a peer supplies: every whole-file read
 * has a size limit that holds for huge, growing and endless inputs. Not API.
 */
@NullMarked
package io.shulian.core.internal.io;

import org.jspecify.annotations.NullMarked;
