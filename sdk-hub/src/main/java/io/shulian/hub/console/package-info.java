/**
 * The bureau's web console: a small static app under {@code /console/} served from a fixed
 * allow-list of classpath resources, operator log-in with Argon2id passwords, server-side
 * sessions with CSRF protection, strict security headers, and read-only console endpoints
 * (see docs/console.md).
 */
@NullMarked
package io.shulian.hub.console;

import org.jspecify.annotations.NullMarked;
