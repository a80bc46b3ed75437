/**
 * The city hub (shulian hub): the data bureau's control plane. It serves signed city bundles with long-poll push and takes publishes from bureau operators; see docs/hub.md.
 */
@NullMarked
package io.shulian.hub;

import org.jspecify.annotations.NullMarked;
