/**
 * Sharing applications for conditional resources (共享申请) and data objections (数据校核): what a
 * consumer department files with the hub, what the provider department answers, stored with their
 * response times.
 */
@NullMarked
package io.shulian.hub.apply;

import org.jspecify.annotations.NullMarked;
