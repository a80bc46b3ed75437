/**
 * The shulian hub command, added to the shulian CLI through ServiceLoader.
 */
@NullMarked
package io.shulian.hub.cli;

import org.jspecify.annotations.NullMarked;
