/**
 * The city demo: a whole city of Shulian parties (CA, bundle, catalog, gateways, audit) on
 * loopback in one command. Start at {@link io.shulian.examples.demo.CityDemo}.
 */
@NullMarked
package io.shulian.examples.demo;

import org.jspecify.annotations.NullMarked;
