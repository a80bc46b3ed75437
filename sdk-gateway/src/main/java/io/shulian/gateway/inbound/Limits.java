package io.shulian.gateway.inbound;

import java.time.Duration;

/**
 * Size, time and connection limits of one listener. Defaults are safe for a public-facing gateway.
 */
public final class Limits {
  private final int maxBodyBytes;
  private final int maxHeaderBytes;
  private final int maxInitialLineBytes;
  private final Duration headerTimeout;
  private final Duration requestTimeout;
  private final Duration backendTimeout;
  private final int maxConnections;

  public Limits(int maxBodyBytes, int maxHeaderBytes, int maxInitialLineBytes, Duration headerTimeout,
      Duration requestTimeout, Duration backendTimeout, int maxConnections) {
    if (maxBodyBytes < 0 || maxHeaderBytes < 1024 || maxInitialLineBytes < 256 || maxConnections < 1) {
      throw new IllegalArgumentException("limits out of range");
    }
    this.maxBodyBytes = maxBodyBytes;
    this.maxHeaderBytes = maxHeaderBytes;
    this.maxInitialLineBytes = maxInitialLineBytes;
    this.headerTimeout = headerTimeout;
    this.requestTimeout = requestTimeout;
    this.backendTimeout = backendTimeout;
    this.maxConnections = maxConnections;
  }

  /** 16 MiB bodies, 8 KiB headers, 10 s to send a request, 30 s per exchange, 10,000 connections. */
  public static Limits defaults() {
    return new Limits(16 * 1024 * 1024, 8192, 4096, Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(10), 10_000);
  }

  public int maxBodyBytes() {
    return maxBodyBytes;
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
}
