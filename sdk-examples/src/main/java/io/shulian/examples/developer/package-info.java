/** The code of docs/developer-guide.md: seal and open envelopes with the files keygen wrote. */
@NullMarked
package io.shulian.examples.developer;

import org.jspecify.annotations.NullMarked;
