/**
 * Alerts (监测预警): raised by the collector's integrity checks and the early-warning rules, each
 * naming the events behind it; stored, listed, acknowledged and closed by operators, and delivered
 * to an Alertmanager-compatible webhook.
 */
@NullMarked
package io.shulian.hub.alert;

import org.jspecify.annotations.NullMarked;
