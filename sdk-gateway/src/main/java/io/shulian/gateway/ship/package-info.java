/**
 * Event shipping: one background thread reads the gateway's own audit log from its files and sends
 * the records and signed checkpoints to the city hub's collector, resuming where the hub acknowledged.
 */
@NullMarked
package io.shulian.gateway.ship;

import org.jspecify.annotations.NullMarked;
