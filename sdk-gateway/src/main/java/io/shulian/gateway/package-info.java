/**
 * The Shulian secure exchange gateway: consumer and provider roles of one Netty process. Start
 * with {@link io.shulian.gateway.Gateway}; the handler order is drawn in the {@code pipeline}
 * package.
 */
@NullMarked
package io.shulian.gateway;

import org.jspecify.annotations.NullMarked;
