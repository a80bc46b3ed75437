/**
 * Spring Boot auto-configuration of Shulian from {@code shulian.*} properties: the department's
 * identity, the trust it opens envelopes with, an {@code EnvelopeSealer}, an {@code EnvelopeOpener}
 * with a replay cache, an optional policy engine, and a client for the consumer gateway
 * (docs/spring-boot.md). Only sdk-core's exported API is used.
 */
@NullMarked
package io.shulian.spring.boot;

import org.jspecify.annotations.NullMarked;
