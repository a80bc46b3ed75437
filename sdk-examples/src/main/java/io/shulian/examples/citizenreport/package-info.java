/** Recipe: a citizen "report a problem" intake flowing from a district office to a city bureau. */
@NullMarked
package io.shulian.examples.citizenreport;

import org.jspecify.annotations.NullMarked;
