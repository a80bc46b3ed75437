package io.shulian.core.envelope;

/**
 * The two wire encodings of the one envelope model (docs/envelope-format.md). Both are
 * sign-then-encrypt with the receiver inside the signed part; {@link EnvelopeOpener#open} reads
 * either, telling them apart by the first byte.
 */
public enum EnvelopeEncoding {
  /**
   * A compact JWS nested in a compact JWE (RFC 7515/7516): any conformant JOSE library holding the
   * keys can open an INTL envelope. Text; payload limited to what fits in memory. The default.
   */
  COMPACT,
  /**
   * The framed binary stream "framed v1": a clear preamble, then the signed header, payload and
   * signature encrypted in segments (STREAM construction), so that sealing and opening run in
   * constant memory and cost little beyond the primitives. Shulian-specific; for large data sets.
   */
  FRAMED
}
