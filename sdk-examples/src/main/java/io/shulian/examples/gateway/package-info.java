/** Recipe for an integrator: run gateways from YAML configuration files. */
@NullMarked
package io.shulian.examples.gateway;

import org.jspecify.annotations.NullMarked;
