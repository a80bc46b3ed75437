/**
 * The hub's database: JDBC over H2 (embedded) or PostgreSQL, schema by Flyway migrations, one transaction per change.
 */
@NullMarked
package io.shulian.hub.store;

import org.jspecify.annotations.NullMarked;
