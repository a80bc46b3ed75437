/**
 * The standard data-exchange envelope: a header (who, to whom, which resource, for what purpose,
 * until when) and a payload, signed by the sender and then encrypted for the receiver. Sealing and
 * opening are the two directions of the one flow; only {@link io.shulian.core.envelope.EnvelopeOpener}
 * produces an {@link io.shulian.core.envelope.OpenedEnvelope}.
 */
@NullMarked
package io.shulian.core.envelope;

import org.jspecify.annotations.NullMarked;
