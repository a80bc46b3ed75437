/**
 * The city's sharing catalog (共享目录): data resources, their providers, fields with
 * classification and personal-information category, sharing type, allowed purposes and endpoints.
 * Load with {@link io.shulian.core.catalog.Catalog#parse}; compare versions with {@link io.shulian.core.catalog.CatalogDiff}.
 * A request reaches a resource only through a {@link io.shulian.core.catalog.RequestTarget} (a
 * confined, normal target) that {@link io.shulian.core.catalog.EndpointMatch} matches to a
 * declared {@link io.shulian.core.catalog.Endpoint}.
 */
@NullMarked
package io.shulian.core.catalog;

import org.jspecify.annotations.NullMarked;
