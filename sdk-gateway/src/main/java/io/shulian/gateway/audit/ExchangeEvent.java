package io.shulian.gateway.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One exchange as the gateway audits it. Never contains a payload or a secret: only the payload's
 * digest and size. {@code payloadDigest} and {@code payloadBytes} describe the request's payload;
 * an exchange that released a response also carries the response's ({@link #withResponse}), and
 * the audit log then holds a request record and a response record for it.
 */
public final class ExchangeEvent {
  /** Which leg of the exchange this record describes. */
  public enum Direction {
    /** Consumer gateway: request sealed and sent to a provider. */
    REQUEST_OUT,
    /** Provider gateway: request received and opened (or refused). */
    REQUEST_IN,
    /** Provider gateway: response sealed and sent back. */
    RESPONSE_OUT,
    /** Consumer gateway: response received and opened (or refused). */
    RESPONSE_IN
  }

  public final Instant time;
  public final String envelopeId;
  public final Direction direction;
  public final String sender;
  public final String receiver;
  public final String resource;
  public final String purpose;
  public final String grantId;
  public final boolean permitted;
  public final List<String> ruleIds;
  public final List<String> obligations;
  public final List<String> reasons;
  public final String policyVersion;
  /** Digest of the payload: SHA-256, or SM3 when the gateway's suite is GM. */
  public final byte[] payloadDigest;
  public final long payloadBytes;
  public final int status;
  public final String outcome;
  public final Duration latency;
  /** The calling application (API-key name) on the consumer gateway; empty where unknown. */
  public final String app;
  /** The request method; empty where there was none. */
  public final String method;
  /** The request path relative to the resource (normalised; an excerpt if the target was refused); empty if none. */
  public final String path;
  /** Digest of the response payload released (same algorithm as {@code payloadDigest}); empty if none. */
  public final byte[] responseDigest;
  /** Size of the response payload released, or -1 if the exchange released no response. */
  public final long responseBytes;
  /** For a streamed data set: its record and segment counts and whether it completed; else null. */
  public final @org.jspecify.annotations.Nullable Transfer transfer;

  /**
   * What a streamed data set transfer moved (docs/return-flow.md): the response digest and bytes
   * are those of the released stream, complete or not.
   *
   * @param records records released (CSV: rows after the header); -1 where not counted (consumer)
   * @param segments framed envelope segments sealed (provider) or authenticated (consumer)
   * @param complete true only if the whole stream was released and its signature verified
   */
  public record Transfer(long records, long segments, boolean complete) {}

  public ExchangeEvent(Instant time, String envelopeId, Direction direction, String sender, String receiver,
      String resource, String purpose, String grantId, boolean permitted, List<String> ruleIds,
      List<String> obligations, List<String> reasons, String policyVersion, byte[] payloadDigest,
      long payloadBytes, int status, String outcome, Duration latency) {
    this(time, envelopeId, direction, sender, receiver, resource, purpose, grantId, permitted, ruleIds, obligations,
        reasons, policyVersion, payloadDigest, payloadBytes, status, outcome, latency, "", "", "", new byte[0], -1, null);
  }

  private ExchangeEvent(Instant time, String envelopeId, Direction direction, String sender, String receiver,
      String resource, String purpose, String grantId, boolean permitted, List<String> ruleIds,
      List<String> obligations, List<String> reasons, String policyVersion, byte[] payloadDigest,
      long payloadBytes, int status, String outcome, Duration latency, String app, String method, String path,
      byte[] responseDigest, long responseBytes, ExchangeEvent.@org.jspecify.annotations.Nullable Transfer transfer) {
    this.time = time;
    this.envelopeId = envelopeId;
    this.direction = direction;
    this.sender = sender;
    this.receiver = receiver;
    this.resource = resource;
    this.purpose = purpose;
    this.grantId = grantId;
    this.permitted = permitted;
    this.ruleIds = List.copyOf(ruleIds);
    this.obligations = List.copyOf(obligations);
    this.reasons = List.copyOf(reasons);
    this.policyVersion = policyVersion;
    this.payloadDigest = payloadDigest.clone();
    this.payloadBytes = payloadBytes;
    this.status = status;
    this.outcome = outcome;
    this.latency = latency;
    this.app = java.util.Objects.requireNonNull(app, "app");
    this.method = java.util.Objects.requireNonNull(method, "method");
    this.path = java.util.Objects.requireNonNull(path, "path");
    this.responseDigest = responseDigest.clone();
    this.responseBytes = responseBytes;
    this.transfer = transfer;
  }

  /** Returns this event naming the calling app and the request's method and path. */
  public ExchangeEvent withRequest(String app, String method, String path) {
    return new ExchangeEvent(time, envelopeId, direction, sender, receiver, resource, purpose, grantId, permitted,
        ruleIds, obligations, reasons, policyVersion, payloadDigest, payloadBytes, status, outcome, latency, app,
        method, path, responseDigest, responseBytes, transfer);
  }

  /**
   * Returns this event with the response payload that the exchange released (after masking, as
   * the consumer's app receives it): its digest and size.
   */
  public ExchangeEvent withResponse(byte[] digest, long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("response bytes must be >= 0, got " + bytes);
    }
    return new ExchangeEvent(time, envelopeId, direction, sender, receiver, resource, purpose, grantId, permitted,
        ruleIds, obligations, reasons, policyVersion, payloadDigest, payloadBytes, status, outcome, latency, app,
        method, path, digest, bytes, transfer);
  }

  /** Returns this event describing a streamed data set transfer (with {@link #withResponse} for its bytes and digest). */
  public ExchangeEvent withTransfer(Transfer t) {
    return new ExchangeEvent(time, envelopeId, direction, sender, receiver, resource, purpose, grantId, permitted,
        ruleIds, obligations, reasons, policyVersion, payloadDigest, payloadBytes, status, outcome, latency, app,
        method, path, responseDigest, responseBytes, java.util.Objects.requireNonNull(t));
  }

  /** True if the exchange released a response ({@link #withResponse}). */
  public boolean hasResponse() {
    return responseBytes >= 0;
  }

  @Override
  public String toString() {
    return "ExchangeEvent[" + direction + " " + envelopeId + " " + sender + "->" + receiver + " " + resource
        + (method.isEmpty() ? "" : " " + method + " " + path) + (app.isEmpty() ? "" : " app=" + app)
        + " status=" + status + " " + outcome + "]";
  }
}
