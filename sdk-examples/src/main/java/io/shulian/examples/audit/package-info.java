/** Recipe for a supervisor: verify audit logs offline and produce the sharing-statistics report. */
@NullMarked
package io.shulian.examples.audit;

import org.jspecify.annotations.NullMarked;
