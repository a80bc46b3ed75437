/**
 * Catalog registration and review (目录动态更新): a department submits a signed new, changed or
 * withdrawn resource of its own; bureau operators list, diff, approve (a new catalog in a new
 * bundle signed on the hub and published at once) or reject it.
 */
@NullMarked
package io.shulian.hub.review;

import org.jspecify.annotations.NullMarked;
