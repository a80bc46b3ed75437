/**
 * What a gateway must remember across restarts so that a restart changes none of its decisions:
 * the ids of opened envelopes until they expire and the uses of grants, in a crash-safe journal in
 * the gateway's state directory (the newest accepted city bundle is kept there too).
 */
@NullMarked
package io.shulian.gateway.state;

import org.jspecify.annotations.NullMarked;
