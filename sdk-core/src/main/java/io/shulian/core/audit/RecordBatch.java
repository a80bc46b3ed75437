package io.shulian.core.audit;

import io.shulian.core.keys.PartyCertificate;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A run of consecutive records of one log as they are stored (the record bodies, which are the
 * Merkle leaf data), with the checkpoints that fall inside the run and the signing certificates the
 * writer presented: what a shipper sends to the city collector, which verifies it again with
 * {@link AuditStreamVerifier}. Read with {@link AuditLogReader#readBatch}.
 */
public final class RecordBatch {
  private final String logId;
  private final HashAlgorithm hashAlgorithm;
  private final long firstSeq;
  private final List<byte[]> bodies;
  private final byte[] chainHead;
  private final List<Checkpoint> checkpoints;
  private final List<PartyCertificate> certificates;
  private final long logSize;
  /** Where the record after this batch starts: the segment's file name (null: unknown), its identity, and the offset. */
  final @Nullable String segment;
  final @Nullable Object segmentKey;
  final long offset;

  RecordBatch(String logId, HashAlgorithm hashAlgorithm, long firstSeq, List<byte[]> bodies, byte[] chainHead,
      List<Checkpoint> checkpoints, List<PartyCertificate> certificates, long logSize, @Nullable String segment,
      @Nullable Object segmentKey, long offset) {
    this.segment = segment;
    this.segmentKey = segmentKey;
    this.offset = offset;
    this.logId = logId;
    this.hashAlgorithm = hashAlgorithm;
    this.firstSeq = firstSeq;
    this.bodies = List.copyOf(bodies);
    this.chainHead = chainHead.clone();
    this.checkpoints = List.copyOf(checkpoints);
    this.certificates = List.copyOf(certificates);
    this.logSize = logSize;
  }

  /** The log's id (32 hex digits). */
  public String logId() {
    return logId;
  }

  public HashAlgorithm hashAlgorithm() {
    return hashAlgorithm;
  }

  /** The sequence number of the first body. */
  public long firstSeq() {
    return firstSeq;
  }

  /** The record bodies, seq {@link #firstSeq()} onwards; each array is a copy the caller may keep. */
  public List<byte[]> bodies() {
    return bodies.stream().map(byte[]::clone).toList();
  }

  /**
   * Body {@code index} (seq {@code firstSeq() + index}) as a read-only view, without the copy
   * {@link #bodies()} makes: for a shipper that only encodes the bytes.
   *
   * @throws IndexOutOfBoundsException unless {@code 0 <= index < nextSeq() - firstSeq()}
   */
  public java.nio.ByteBuffer body(int index) {
    return java.nio.ByteBuffer.wrap(bodies.get(index)).asReadOnlyBuffer();
  }

  /** The chain value the writer stored after the last body (before {@link #firstSeq()} if there is none). */
  public byte[] chainHead() {
    return chainHead.clone();
  }

  /** The checkpoints whose tree size is from {@link #firstSeq()} to {@code firstSeq + bodies}, oldest first. */
  public List<Checkpoint> checkpoints() {
    return checkpoints;
  }

  /** The certificates the writer stored with the log: presented, never trusted as such. */
  public List<PartyCertificate> certificates() {
    return certificates;
  }

  /** The sequence number after the last body. */
  public long nextSeq() {
    return firstSeq + bodies.size();
  }

  /** How many complete records the log held when it was read (the lag is this minus the end of the batch). */
  public long logSize() {
    return logSize;
  }

  @Override
  public String toString() {
    return "RecordBatch{log " + logId + ", seq " + firstSeq + ".." + (firstSeq + bodies.size() - 1) + ", "
        + checkpoints.size() + " checkpoints}";
  }
}
