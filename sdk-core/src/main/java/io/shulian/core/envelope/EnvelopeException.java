package io.shulian.core.envelope;

import io.shulian.core.ErrorCode;
import io.shulian.core.ShulianException;

/**
 * An envelope could not be sealed or was rejected when opened. Each reason has its own subclass
 * and {@link #reason()} code; the message names the reason for the operator and never contains
 * payload or key bytes.
 */
public abstract sealed class EnvelopeException extends ShulianException
    permits EnvelopeTooLargeException, MalformedEnvelopeException, DisallowedAlgorithmException, UnknownCriticalHeaderException, EmbeddedKeyException, InvalidPublicKeyException, DecryptionFailedException, WrongReceiverException, UntrustedSenderException, BadSignatureException, EnvelopeExpiredException, EnvelopeNotYetValidException, ReplayedEnvelopeException, SuiteMismatchException, SenderMismatchException, ReplayStateUnavailableException {
  private static final long serialVersionUID = 1L;

  /** Why an envelope was refused. Stable codes for audit records and metrics. */
  public enum Reason implements ErrorCode {
    /** The envelope or its payload is over the configured size limit (checked before parsing). */
    TOO_LARGE,
    /** The envelope is not a well-formed compact JWE holding a compact JWS (or framed envelope), or its header JSON is invalid, too deep, or lacks a required field. */
    MALFORMED,
    /** A JOSE algorithm is outside the allow-list of the suite (none, HMAC, PBES2, RSA, another suite's algorithms, compression). */
    ALGORITHM_NOT_ALLOWED,
    /** A header lists critical parameters (crit) that Shulian does not understand. */
    UNKNOWN_CRITICAL_HEADER,
    /** The envelope offers its own keys (jwk, jku, x5u, x5c): keys come only from configured trust. */
    EMBEDDED_KEY_REFUSED,
    /** A public key in the envelope (ephemeral key, SM2 C1) is not a valid point of the suite's curve. */
    INVALID_KEY,
    /** Authenticated decryption failed: not encrypted to our key, or modified. */
    DECRYPTION_FAILED,
    /** The envelope is addressed to another party or key. */
    WRONG_RECEIVER,
    /** The signer's certificate is unknown, not valid, or does not belong to the claimed sender. */
    UNTRUSTED_SENDER,
    /** The sender's signature does not verify. */
    BAD_SIGNATURE,
    /** The envelope's expiry is past (beyond the allowed clock skew), or its lifetime is longer than allowed. */
    EXPIRED,
    /** The envelope's issue time is in the future (beyond the allowed clock skew). */
    NOT_YET_VALID,
    /** An envelope with this id was already opened. */
    REPLAYED,
    /** Sender key and recipient key are of different suites; Shulian never downgrades silently. */
    SUITE_MISMATCH,
    /** The verified sender is not the party the caller expected (e.g. the TLS peer that delivered the envelope). */
    SENDER_MISMATCH,
    /** The replay cache cannot record the envelope id (full of unexpired ids, or its store failed); refused, not forgotten. */
    REPLAY_STATE_UNAVAILABLE,
  }

  EnvelopeException(Reason reason, String message) {
    super(reason, message);
  }

  EnvelopeException(Reason reason, String message, Throwable cause) {
    super(reason, message, cause);
  }

  /** Returns why the envelope was refused. */
  public Reason reason() {
    return (Reason) errorCode();
  }
}
