package io.shulian.core.audit;

/**
 * Which way an audited envelope went, seen from the gateway that wrote the record. A request goes
 * from consumer to provider, a response from provider to consumer.
 */
public enum Direction {
  /** A consumer gateway sent a request (sender = consumer, receiver = provider). */
  REQUEST_OUT(1, true),
  /** A provider gateway received a request (sender = consumer, receiver = provider). */
  REQUEST_IN(2, true),
  /** A provider gateway sent a response (sender = provider, receiver = consumer). */
  RESPONSE_OUT(3, false),
  /** A consumer gateway received a response (sender = provider, receiver = consumer). */
  RESPONSE_IN(4, false);

  private final int code;
  private final boolean request;

  Direction(int code, boolean request) {
    this.code = code;
    this.request = request;
  }

  /** The byte that encodes this direction in format version 1. */
  public int code() {
    return code;
  }

  public boolean isRequest() {
    return request;
  }

  /** @throws IllegalArgumentException for an unknown code */
  public static Direction ofCode(int code) {
    for (Direction d : values()) {
      if (d.code == code) {
        return d;
      }
    }
    throw new IllegalArgumentException("unknown direction code " + code);
  }
}
