/**
 * A civil-affairs case-review service on the Spring Boot starter: to review an application for
 * social assistance it asks the housing bureau, through the department's consumer gateway, for the
 * applicant's household record (docs/spring-boot.md).
 */
@NullMarked
package io.shulian.examples.casereview;

import org.jspecify.annotations.NullMarked;
