package io.shulian.core.trust;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;

/**
 * The freshness of one CA's revocation list at a moment: what a health check and a metric report.
 * Immutable.
 */
public final class CrlStatus {
  /** Freshness of a CRL. */
  public enum State {
    /** Before its next update. */
    FRESH,
    /** Past its next update but within the grace period: still used, a warning is logged. */
    IN_GRACE,
    /** Past its next update and the grace period: certificates of this CA are refused. */
    STALE
  }

  private final String issuer;
  private final BigInteger number;
  private final Instant thisUpdate;
  private final Instant nextUpdate;
  private final Instant at;
  private final State state;

  CrlStatus(String issuer, BigInteger number, Instant thisUpdate, Instant nextUpdate, Instant at, State state) {
    this.issuer = issuer;
    this.number = number;
    this.thisUpdate = thisUpdate;
    this.nextUpdate = nextUpdate;
    this.at = at;
    this.state = state;
  }

  /** The CA's subject name. */
  public String issuer() {
    return issuer;
  }

  /** The CRL number, or -1 if the CRL has none. */
  public BigInteger number() {
    return number;
  }

  public Instant thisUpdate() {
    return thisUpdate;
  }

  public Instant nextUpdate() {
    return nextUpdate;
  }

  /** How long ago the CRL was issued, at the moment of this status. */
  public Duration age() {
    return Duration.between(thisUpdate, at);
  }

  /** How long past its next update the CRL is (zero while fresh). */
  public Duration overdue() {
    return at.isAfter(nextUpdate) ? Duration.between(nextUpdate, at) : Duration.ZERO;
  }

  public State state() {
    return state;
  }

  @Override
  public String toString() {
    return "CrlStatus[" + issuer + ", #" + number + ", " + state + ", age " + age() + ", next update " + nextUpdate + "]";
  }
}
