package io.shulian.hub.store;

import io.shulian.core.keys.Suite;
import java.time.Instant;
import java.util.Objects;

/**
 * One signed city bundle as the hub stored it: exactly the bytes {@code shulian bundle sign}
 * wrote, their SHA-256 (hex, also the HTTP entity tag) and who published it when.
 */
public final class PublishedBundle {
  private final Suite suite;
  private final long version;
  private final byte[] bytes;
  private final String sha256;
  private final Instant publishedAt;
  private final String publishedBy;

  PublishedBundle(Suite suite, long version, byte[] bytes, String sha256, Instant publishedAt, String publishedBy) {
    this.suite = Objects.requireNonNull(suite);
    this.version = version;
    this.bytes = bytes.clone();
    this.sha256 = Objects.requireNonNull(sha256);
    this.publishedAt = Objects.requireNonNull(publishedAt);
    this.publishedBy = Objects.requireNonNull(publishedBy);
  }

  public Suite suite() {
    return suite;
  }

  public long version() {
    return version;
  }

  /** Returns a copy of the signed bundle (compact JWS). */
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The bundle's length in bytes, without copying it. */
  public int length() {
    return bytes.length;
  }

  /** Returns a read-only buffer over the bundle, without copying it (for the HTTP response). */
  public io.netty.buffer.ByteBuf wrap() {
    return io.netty.buffer.Unpooled.wrappedBuffer(bytes).asReadOnly();
  }

  /** SHA-256 of {@link #bytes}, 64 lower-case hex digits. */
  public String sha256() {
    return sha256;
  }

  public Instant publishedAt() {
    return publishedAt;
  }

  public String publishedBy() {
    return publishedBy;
  }

  @Override
  public String toString() {
    return "PublishedBundle{" + HubStore.suiteName(suite) + " v" + version + ", " + bytes.length + " bytes, sha256 "
        + sha256.substring(0, 12) + "…}";
  }
}
