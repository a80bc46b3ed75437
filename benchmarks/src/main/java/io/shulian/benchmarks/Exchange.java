package io.shulian.benchmarks;

/**
 * One way of protecting a payload from a sender to a receiver, prepared for one suite and one
 * payload size. Every method returns its result so that JMH cannot eliminate the work.
 *
 * <p>Not thread-safe: each benchmark thread owns its instance ({@code Scope.Thread}).
 */
interface Exchange {
  /** Signs and encrypts the payload for the receiver. */
  Object seal() throws Exception;

  /** Decrypts and verifies one envelope sealed during setup, with every check of the receiver. */
  Object open() throws Exception;

  /** Seals a fresh envelope and opens it. */
  Object roundTrip() throws Exception;

  /** How many envelopes one call seals or opens (more than 1 for a batch). */
  default int envelopesPerCall() {
    return 1;
  }
}
