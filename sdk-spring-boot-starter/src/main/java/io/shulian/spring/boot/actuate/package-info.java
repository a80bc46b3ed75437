/**
 * Actuator and Micrometer support of the starter: the {@code shulian} health indicator (keys,
 * trust freshness, gateway reachability) and the {@code shulian.*} meters.
 */
@NullMarked
package io.shulian.spring.boot.actuate;

import org.jspecify.annotations.NullMarked;
