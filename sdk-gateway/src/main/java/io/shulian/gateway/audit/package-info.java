/**
 * What the gateway records about every exchange, including refusals and failures, before any
 * response is released; the gateway fails closed when it cannot record.
 */
@NullMarked
package io.shulian.gateway.audit;

import org.jspecify.annotations.NullMarked;
