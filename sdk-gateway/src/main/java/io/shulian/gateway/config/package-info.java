/**
 * The gateway's YAML configuration: parsed strictly (unknown keys are errors that name their
 * location), validated as a whole, and turned into a {@link io.shulian.gateway.Gateway}.
 */
@NullMarked
package io.shulian.gateway.config;

import org.jspecify.annotations.NullMarked;
