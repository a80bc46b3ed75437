/**
 * What a gateway must remember across requests and restarts: the ids of opened envelopes until they
 * expire, the uses of grants and rate counters — in a crash-safe journal in the gateway's state
 * directory (the newest accepted city bundle is kept there too), or shared by a department's
 * replicas in Redis ({@link io.shulian.gateway.state.RedisState}); both behind {@link
 * io.shulian.gateway.state.SharedState}.
 */
@NullMarked
package io.shulian.gateway.state;

import org.jspecify.annotations.NullMarked;
