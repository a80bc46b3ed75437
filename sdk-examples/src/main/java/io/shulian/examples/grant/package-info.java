/** Recipe for a provider department: issue a grant, verify it and decide a request with it. */
@NullMarked
package io.shulian.examples.grant;

import org.jspecify.annotations.NullMarked;
