/**
 * Who may call the hub: bureau operators and their roles (departments are authenticated by their city-CA TLS certificates).
 */
@NullMarked
package io.shulian.hub.access;

import org.jspecify.annotations.NullMarked;
