package io.shulian.gateway.inbound;

import java.time.Duration;

/**
 * Size, time and connection limits of one gateway. Defaults are safe for a public-facing gateway.
 *
 * <p>{@link #maxBodyBytes()} is the one body limit of an exchange, shared by both ends: the
 * largest body an app may send through the consumer, and the largest body a backend may answer
 * through the provider. Every other size follows from it: the envelope payload (the body plus its
 * HTTP start line and header section, {@link #maxPayloadBytes()}), and from that the largest
 * envelope a provider accepts and a consumer reads back. So gateways configured with the same
 * {@code maxBodyBytes} agree: a request either fits end to end or is refused with 413 at the
 * consumer, before anything is sealed.
 */
public final class Limits {
  /** Upper bound of {@link #maxBodyBytes()} (the envelope for it must stay below 2 GiB). */
  public static final int MAX_BODY_BYTES = 128 * 1024 * 1024;
  /** Room for an HTTP start line and header section next to the body in an envelope payload. */
  public static final int PAYLOAD_HEAD_BYTES = 64 * 1024;
  /** Upper bound of request line plus header section, so that they always fit in {@link #PAYLOAD_HEAD_BYTES}. */
  public static final int MAX_HEAD_BYTES = 56 * 1024;
  /** Status line and header section limits for upstream responses (backends, provider gateways). */
  public static final int UPSTREAM_MAX_STATUS_LINE_BYTES = 4096;
  public static final int UPSTREAM_MAX_HEADER_BYTES = 16384;
  /** Default window of {@link #pushProgressWindow()}. */
  public static final Duration DEFAULT_PUSH_PROGRESS_WINDOW = Duration.ofSeconds(30);
  /** Default of {@link #pushMinBytes()}: about 1 KiB/s of waiting (Apache mod_reqtimeout's MinRate is 500 B/s). */
  public static final int DEFAULT_PUSH_MIN_BYTES = 32 * 1024;
  /** Upper bound of {@link #pushMinBytes()}. */
  public static final int MAX_PUSH_MIN_BYTES = 16 * 1024 * 1024;

  private final int maxBodyBytes;
  private final int maxHeaderBytes;
  private final int maxInitialLineBytes;
  private final Duration headerTimeout;
  private final Duration requestTimeout;
  private final Duration backendTimeout;
  private final int maxConnections;
  private final Duration pushProgressWindow;
  private final int pushMinBytes;

  /**
   * @throws IllegalArgumentException naming the first value out of range and the allowed range
   */
  public Limits(int maxBodyBytes, int maxHeaderBytes, int maxInitialLineBytes, Duration headerTimeout,
      Duration requestTimeout, Duration backendTimeout, int maxConnections) {
    this(maxBodyBytes, maxHeaderBytes, maxInitialLineBytes, headerTimeout, requestTimeout, backendTimeout, maxConnections,
        DEFAULT_PUSH_PROGRESS_WINDOW, DEFAULT_PUSH_MIN_BYTES);
  }

  private Limits(int maxBodyBytes, int maxHeaderBytes, int maxInitialLineBytes, Duration headerTimeout,
      Duration requestTimeout, Duration backendTimeout, int maxConnections, Duration pushProgressWindow,
      int pushMinBytes) {
    range("maxBodyBytes", maxBodyBytes, 1, MAX_BODY_BYTES);
    range("maxHeaderBytes", maxHeaderBytes, 1024, MAX_HEAD_BYTES - 256);
    range("maxInitialLineBytes", maxInitialLineBytes, 256, MAX_HEAD_BYTES - maxHeaderBytes);
    positive("headerTimeout", headerTimeout);
    positive("requestTimeout", requestTimeout);
    positive("backendTimeout", backendTimeout);
    range("maxConnections", maxConnections, 1, 1_000_000);
    positive("pushProgressWindow", pushProgressWindow);
    range("pushMinBytes", pushMinBytes, 1, MAX_PUSH_MIN_BYTES);
    this.maxBodyBytes = maxBodyBytes;
    this.maxHeaderBytes = maxHeaderBytes;
    this.maxInitialLineBytes = maxInitialLineBytes;
    this.headerTimeout = headerTimeout;
    this.requestTimeout = requestTimeout;
    this.backendTimeout = backendTimeout;
    this.maxConnections = maxConnections;
    this.pushProgressWindow = pushProgressWindow;
    this.pushMinBytes = pushMinBytes;
  }

  /**
   * These limits with another minimum progress of a streamed push upload: while the gateway waits
   * for it, the upload must bring at least {@code minBytes} in every {@code window} of waiting.
   *
   * @throws IllegalArgumentException if the window is not above 0 and at most 1 day, or the bytes
   *     not from 1 to 16 MiB
   */
  public Limits withPushProgress(Duration window, int minBytes) {
    return new Limits(maxBodyBytes, maxHeaderBytes, maxInitialLineBytes, headerTimeout, requestTimeout, backendTimeout,
        maxConnections, window, minBytes);
  }

  private static void range(String name, int v, int min, int max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(name + ": must be from " + min + " to " + max + ", got " + v);
    }
  }

  private static void positive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException(name + ": must be a duration above 0 and at most 1 day, got " + d);
    }
  }

  /** 16 MiB bodies, 8 KiB headers, 10 s to send a request, 30 s per exchange, 10,000 connections. */
  public static Limits defaults() {
    return new Limits(16 * 1024 * 1024, 8192, 4096, Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(10), 10_000);
  }

  /** The largest HTTP body of an exchange, in either direction. */
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  /**
   * The largest envelope payload: an HTTP message ({@code message/http}) with a body of at most
   * {@link #maxBodyBytes()}; the sealer and opener of both roles use it.
   */
  public int maxPayloadBytes() {
    return maxBodyBytes + PAYLOAD_HEAD_BYTES;
  }

  public int maxHeaderBytes() {
    return maxHeaderBytes;
  }

  public int maxInitialLineBytes() {
    return maxInitialLineBytes;
  }

  /** Time a client has to send one whole request once it started; slow senders are cut off. */
  public Duration headerTimeout() {
    return headerTimeout;
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  public Duration backendTimeout() {
    return backendTimeout;
  }

  public int maxConnections() {
    return maxConnections;
  }

  /**
   * Slow-upload defence of a streamed push body (both the app's upload to the sending gateway and
   * the envelope's to the receiving gateway): only the time the gateway waits for the next piece
   * counts (not the time it holds the upload back for a slow receiver or backend), and in every
   * window of that much waiting at least {@link #pushMinBytes()} must arrive.
   */
  public Duration pushProgressWindow() {
    return pushProgressWindow;
  }

  /** Bytes a streamed push upload must bring per {@link #pushProgressWindow()} of waiting. */
  public int pushMinBytes() {
    return pushMinBytes;
  }
}
