/**
 * JMH benchmarks of Shulian's hot core, each compared in the same run with the baseline a user
 * would otherwise pick (Nimbus JOSE) and with the bare cost of the cryptography underneath.
 */
@NullMarked
package io.shulian.benchmarks;

import org.jspecify.annotations.NullMarked;
