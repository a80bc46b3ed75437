/** Recipe for a department developer: seal and open envelopes with sdk-core, no gateway. */
@NullMarked
package io.shulian.examples.sealopen;

import org.jspecify.annotations.NullMarked;
