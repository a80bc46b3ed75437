/**
 * Sharing evaluation (绩效评价): a monthly scorecard per department from the catalog, the
 * gateways' verified audit logs and the hub's case timings. Used by {@code shulian evaluate}.
 */
@NullMarked
package io.shulian.gateway.evaluate;

import org.jspecify.annotations.NullMarked;
