package io.shulian.core.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.shulian.core.internal.audit.LogScanner;
import io.shulian.core.internal.audit.MerkleFrontier;
import io.shulian.core.internal.audit.RecordCodec;
import io.shulian.core.internal.audit.SegmentFormat;
import io.shulian.core.internal.audit.TreeHasher;
import io.shulian.core.internal.crypto.Crypto;
import io.shulian.core.internal.crypto.Signer;
import io.shulian.core.keys.KeyId;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The append-only audit log of one gateway: segment files of hash-chained records in a directory,
 * and signed Merkle checkpoints in {@code checkpoints.jsonl} next to them.
 *
 * <p><b>Durability.</b> {@link #append} hands the record to a single writer thread and returns a
 * future that completes with the record's sequence number once the record has been written and
 * forced to disk ({@code FileChannel.force}). The writer commits records in groups: every record
 * that arrived while the previous group was being forced goes into the next group, up to {@code
 * maxBatchRecords}, optionally waiting {@code commitDelay} for more. Futures complete on the writer
 * thread: attach only quick callbacks, or use the {@code *Async} variants.
 *
 * <p><b>Fail closed.</b> When a write or force fails (disk full, permission, I/O error, closed
 * channel) every pending future completes exceptionally with {@link AuditException} {@code
 * LOG_UNAVAILABLE}, and every later {@code append} returns such a failed future at once, until the
 * log is closed and opened again. A gateway must not release data whose record did not become
 * durable.
 *
 * <p><b>Recovery.</b> Opening a log rescans it. An incomplete or damaged frame at the end of the
 * last segment that no checkpoint covers is what a crash leaves behind: its bytes are preserved in
 * a {@code torn-*.bin} file and the segment is truncated, then the chain continues. Damage anywhere
 * else, or under a checkpoint, refuses to open ({@code LOG_CORRUPT}); run the verifier.
 *
 * <p>One writer per directory (a file lock enforces it). Thread-safe.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  private static final ThreadLocal<RecordCodec.Sink> ENCODER = ThreadLocal.withInitial(() -> new RecordCodec.Sink(1024));

  private final Path dir;
  private final Settings settings;
  private final Signer signer;
  private final KeyId keyId;
  private final HashAlgorithm hashAlgorithm;
  private final String logId;
  private final byte[] logIdBytes;
  private final BlockingQueue<Pending> queue;
  private final Thread writer;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final @Nullable AuditMetrics metrics;
  private final long recoveredTailBytes;

  // confined to the writer thread after construction
  private final TreeHasher hasher;
  private final MerkleFrontier frontier;
  private final byte[] chain;
  private final RecordCodec.Sink sink = new RecordCodec.Sink(1 << 20);
  private final byte[] leaf = new byte[TreeHasher.SIZE];
  private final CRC32C crc = new CRC32C();
  private FileChannel segment;
  private long segmentIndex;
  private long segmentBytes;
  private long segmentRecords;
  private final FileChannel checkpoints;
  private long nextSeq;
  private long lastCheckpointSize;
  private long lastCheckpointNanos;
  /** Records in the last group forced (writer thread only). */
  private int lastGroupRecords;
  /** Groups for which the writer waited commitDelay, and groups forced (for tests; writer only). */
  private volatile long lingeredGroups;
  private volatile long forcedGroups;

  private volatile @Nullable AuditException failure;
  private volatile boolean closing;
  private volatile @Nullable Checkpoint latest;
  private volatile long durableSize;

  /** One queued append (its encoded body, seq still 0) or checkpoint request. */
  private static final class Pending {
    final byte @Nullable [] record;
    final CompletableFuture<Long> seq;
    final @Nullable CompletableFuture<Checkpoint> checkpoint;

    Pending(byte @Nullable [] record, @Nullable CompletableFuture<Checkpoint> checkpoint) {
      this.record = record;
      this.seq = new CompletableFuture<>();
      this.checkpoint = checkpoint;
    }
  }

  private static final class Settings {
    HashAlgorithm hashAlgorithm;
    int checkpointEveryRecords = 10_000;
    Duration checkpointInterval = Duration.ofSeconds(10);
    Duration commitDelay = Duration.ZERO;
    int maxBatchRecords = 8192;
    long segmentMaxBytes = 64L << 20;
    int queueCapacity = 65_536;
    @Nullable MeterRegistry meterRegistry;
    Clock clock = Clock.systemUTC();
  }

  private AuditLog(Path dir, PartyIdentity operator, Settings s) throws AuditException {
    this.dir = dir;
    this.settings = s;
    this.signer = operator.internalSigningKey().signer(Checkpoint.SM2_USER_ID);
    this.keyId = operator.signingCertificate().keyId();
    this.metrics = s.meterRegistry == null ? null : new AuditMetrics(s.meterRegistry);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw unavailable("cannot create log directory " + dir, e);
    }
    if (!Files.isDirectory(dir)) {
      throw new AuditException(AuditException.Reason.NOT_A_LOG, dir + " is not a directory");
    }
    try {
      lockChannel = FileChannel.open(dir.resolve(SegmentFormat.LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw unavailable("cannot open " + dir.resolve(SegmentFormat.LOCK_FILE), e);
    }
    FileLock l;
    try {
      l = lockChannel.tryLock();
    } catch (IOException | OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      closeQuietly(lockChannel);
      throw new AuditException(AuditException.Reason.LOG_UNAVAILABLE, "another writer holds the audit log " + dir);
    }
    this.lock = l;
    boolean ok = false;
    try {
      checkForeignFiles(dir);
      List<Checkpoint> cps = readCheckpoints(dir, true);
      Checkpoint last = cps.isEmpty() ? null : cps.get(cps.size() - 1);
      long covered = last == null ? 0 : last.treeSize();
      LogScanner.Result scan = new LogScanner(dir).scan(new LogScanner.Visitor() {
        @Override
        public boolean wantsRecords() {
          return false;
        }
      });
      long torn = 0;
      if (scan.problem != null) {
        LogScanner.Problem p = scan.problem;
        boolean crashTail = p.inLastSegment && p.seq >= covered
            && (p.kind == LogScanner.Kind.TORN_TAIL || p.kind == LogScanner.Kind.BAD_FRAME);
        if (p.kind == LogScanner.Kind.NEWER_VERSION) {
          throw new AuditException(AuditException.Reason.UNSUPPORTED_VERSION, dir + ": " + p.where() + ": " + p.message);
        }
        if (p.kind == LogScanner.Kind.NOT_A_LOG) {
          throw new AuditException(AuditException.Reason.NOT_A_LOG, dir + " is not a Shulian audit log: " + p.message);
        }
        if (!crashTail) {
          throw new AuditException(AuditException.Reason.LOG_CORRUPT, "audit log " + dir + " is damaged at " + p.where()
              + ": " + p.message + "; refusing to write. Run 'shulian audit verify' and keep the files as evidence.");
        }
        torn = quarantineTail(p.segment, p.offset);
      }
      if (scan.records < covered) {
        throw new AuditException(AuditException.Reason.LOG_CORRUPT, "audit log " + dir + " holds " + scan.records
            + " records but its last checkpoint covers " + covered + ": records were removed. Refusing to write.");
      }
      this.recoveredTailBytes = Math.max(0, torn);
      if (scan.logId == null) {
        // a new log, or a crash before the first header was complete (that file was moved aside)
        this.hashAlgorithm = s.hashAlgorithm != null ? s.hashAlgorithm : HashAlgorithm.of(operator.suite());
        this.logIdBytes = Crypto.randomBytes(SegmentFormat.LOG_ID_BYTES);
        this.logId = HexFormat.of().formatHex(logIdBytes);
        if (last != null) {
          throw new AuditException(AuditException.Reason.LOG_CORRUPT, dir + " has checkpoints but no segments");
        }
      } else {
        this.hashAlgorithm = HashAlgorithm.ofId(scan.hashAlgorithm);
        if (s.hashAlgorithm != null && s.hashAlgorithm != hashAlgorithm) {
          throw new IllegalArgumentException("log " + dir + " uses " + hashAlgorithm.displayName() + ", not "
              + s.hashAlgorithm.displayName());
        }
        this.logId = scan.logId;
        this.logIdBytes = HexFormat.of().parseHex(logId);
        if (last != null && !last.logId().equals(logId)) {
          throw new AuditException(AuditException.Reason.LOG_CORRUPT, "checkpoints in " + dir + " belong to log "
              + last.logId() + ", segments to log " + logId);
        }
      }
      this.hasher = TreeHasher.forId(hashAlgorithm.id());
      this.frontier = scan.frontier != null ? scan.frontier : new MerkleFrontier(hasher);
      this.chain = scan.chain.clone();
      this.nextSeq = scan.records;
      this.durableSize = nextSeq;
      this.latest = last;
      this.lastCheckpointSize = covered;
      this.lastCheckpointNanos = System.nanoTime();
      if (scan.segments.isEmpty() || scan.logId == null) {
        this.segmentIndex = 0;
        openNewSegment();
      } else if (torn < 0) {
        // the last segment's header never completed and was moved aside: write it again
        Path lastSeg = scan.segments.get(scan.segments.size() - 1);
        this.segmentIndex = SegmentFormat.segmentIndex(lastSeg.getFileName().toString());
        openNewSegment();
      } else {
        Path lastSeg = scan.segments.get(scan.segments.size() - 1);
        this.segmentIndex = SegmentFormat.segmentIndex(lastSeg.getFileName().toString());
        this.segment = FileChannel.open(lastSeg, StandardOpenOption.WRITE);
        this.segmentBytes = torn > 0 ? segment.size() : scan.validEnd;
        segment.position(segmentBytes);
        this.segmentRecords = 1; // a reopened segment is never rotated before its first new record
      }
      this.checkpoints = FileChannel.open(dir.resolve(SegmentFormat.CHECKPOINTS_FILE),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      storeCertificate(operator.signingCertificate());
      ok = true;
    } catch (IOException e) {
      throw unavailable("cannot open audit log " + dir, e);
    } catch (AuditException e) {
      throw e;
    } catch (Exception e) {
      throw unavailable("cannot open audit log " + dir, e);
    } finally {
      if (!ok) {
        closeQuietly(lockChannel);
      }
    }
    this.queue = new ArrayBlockingQueue<>(s.queueCapacity);
    this.writer = new Thread(this::runWriter, "shulian-audit-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** Starts building a log in {@code dir} whose checkpoints {@code operator}'s signing key signs. */
  public static Builder builder(Path dir, PartyIdentity operator) {
    return new Builder(dir, operator);
  }

  private static void checkForeignFiles(Path dir) throws IOException, AuditException {
    boolean hasLog = false;
    List<String> foreign = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (SegmentFormat.segmentIndex(n) >= 0 || n.equals(SegmentFormat.CHECKPOINTS_FILE)) {
          hasLog = true;
        } else if (!n.equals(SegmentFormat.LOCK_FILE) && !n.equals(SegmentFormat.CERTS_DIR) && !n.startsWith("torn-")
            && !n.startsWith(".")) {
          foreign.add(n);
        }
      }
    }
    if (!hasLog && !foreign.isEmpty()) {
      throw new AuditException(AuditException.Reason.NOT_A_LOG, dir + " is not an audit log and not empty (it holds "
          + foreign.subList(0, Math.min(3, foreign.size())) + "); give an empty or new directory");
    }
  }

  /** Reads {@code checkpoints.jsonl}; a torn last line is cut off when {@code repair} is set. */
  static List<Checkpoint> readCheckpoints(Path dir, boolean repair) throws IOException, AuditException {
    Path f = dir.resolve(SegmentFormat.CHECKPOINTS_FILE);
    List<Checkpoint> out = new ArrayList<>();
    if (!Files.exists(f)) {
      return out;
    }
    if (!Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.size(f) > (1L << 30)) {
      throw new AuditException(AuditException.Reason.LOG_CORRUPT, f + " is not a regular file of at most 1 GiB");
    }
    byte[] data = Files.readAllBytes(f);
    int start = 0;
    int lineNo = 0;
    while (start < data.length) {
      int nl = start;
      while (nl < data.length && data[nl] != '\n') {
        nl++;
      }
      lineNo++;
      if (nl == data.length) {
        // no newline: the checkpoint was being written when the process died
        if (!repair) {
          Checkpoint cp;
          try {
            cp = Checkpoint.fromJson(Checkpoint.JSON.readTree(new String(data, start, nl - start, StandardCharsets.UTF_8)));
          } catch (IOException | AuditException e) {
            throw new AuditException(AuditException.Reason.LOG_CORRUPT, f + " line " + lineNo
                + " is incomplete (a crash while writing it, or an altered file)");
          }
          out.add(cp);
        }
        if (repair) {
          LOG.warn("audit log {}: dropping an incomplete checkpoint line ({} bytes) left by a crash", dir, nl - start);
          try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(start);
            ch.force(true);
          }
        }
        break;
      }
      JsonNode n;
      try {
        n = Checkpoint.JSON.readTree(new String(data, start, nl - start, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new AuditException(AuditException.Reason.LOG_CORRUPT, f + " line " + lineNo + " is not JSON");
      }
      Checkpoint cp;
      try {
        cp = Checkpoint.fromJson(n);
      } catch (AuditException e) {
        if (e.reason() == AuditException.Reason.UNSUPPORTED_VERSION) {
          throw new AuditException(e.reason(), f + " line " + lineNo + ": " + e.getMessage());
        }
        throw new AuditException(AuditException.Reason.LOG_CORRUPT, f + " line " + lineNo + ": " + e.getMessage());
      }
      if (!out.isEmpty() && cp.treeSize() < out.get(out.size() - 1).treeSize()) {
        throw new AuditException(AuditException.Reason.LOG_CORRUPT, f + " line " + lineNo + ": tree size "
            + cp.treeSize() + " is smaller than the checkpoint before it");
      }
      out.add(cp);
      start = nl + 1;
    }
    return out;
  }

  private long quarantineTail(@Nullable Path seg, long offset) throws IOException {
    if (seg == null) {
      return 0;
    }
    long size = Files.size(seg);
    if (offset < SegmentFormat.HEADER_BYTES) {
      // a header that never completed: the segment held no record
      Path q = dir.resolve("torn-" + seg.getFileName() + "-0.bin");
      Files.move(seg, q, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      LOG.warn("audit log {}: moved incomplete segment {} ({} bytes) to {}", dir, seg.getFileName(), size, q.getFileName());
      return -1;
    }
    try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer tail = ByteBuffer.allocate((int) Math.min(size - offset, Integer.MAX_VALUE - 64));
      ch.read(tail, offset);
      Path q = dir.resolve("torn-" + seg.getFileName() + "-" + offset + ".bin");
      Files.write(q, java.util.Arrays.copyOf(tail.array(), tail.position()));
      ch.truncate(offset);
      ch.force(true);
      LOG.warn("audit log {}: truncated a torn tail of {} bytes at {} offset {} (kept in {})",
          dir, size - offset, seg.getFileName(), offset, q.getFileName());
    }
    return size - offset;
  }

  private void storeCertificate(PartyCertificate cert) throws IOException {
    Path certs = dir.resolve(SegmentFormat.CERTS_DIR);
    Path f = certs.resolve(cert.keyId().value() + ".pem");
    if (!Files.exists(f)) {
      PartyIdentity.writeAtomically(f, PartyCertificate.toPem(List.of(cert)).getBytes(StandardCharsets.US_ASCII));
    }
  }

  private void openNewSegment() throws IOException {
    Path p = dir.resolve(SegmentFormat.segmentName(segmentIndex));
    FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    byte[] header = new SegmentFormat.Header(SegmentFormat.FORMAT_VERSION, hashAlgorithm.id(), segmentIndex,
        logIdBytes, nextSeq, chain).encode();
    ByteBuffer bb = ByteBuffer.wrap(header);
    while (bb.hasRemaining()) {
      ch.write(bb);
    }
    ch.force(true);
    syncDirectory();
    segment = ch;
    segmentBytes = header.length;
    segmentRecords = 0;
  }

  private void syncDirectory() {
    // makes the new file's directory entry durable; not every platform can open a directory
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      LOG.debug("cannot fsync directory {}: {}", dir, e.toString());
    }
  }

  // ---------------------------------------------------------------- API

  /**
   * Appends a record. The future completes with the record's sequence number once it is durable,
   * or exceptionally with {@link AuditException} ({@code LOG_UNAVAILABLE}) if it cannot be; when
   * the log has already failed or is closed, the returned future has already failed. Blocks while
   * {@code queueCapacity} records are waiting for the writer (back pressure).
   */
  public CompletableFuture<Long> append(AuditRecord record) {
    Objects.requireNonNull(record, "record");
    AuditException f = failure;
    if (f != null || closing) {
      if (metrics != null) {
        metrics.failed();
      }
      return CompletableFuture.failedFuture(f != null ? f
          : new AuditException(AuditException.Reason.LOG_UNAVAILABLE, "audit log " + dir + " is closed"));
    }
    // encode on the caller's thread, so the single writer only frames, hashes and writes
    RecordCodec.Sink sink = ENCODER.get();
    sink.reset();
    RecordCodec.encode(0, record, sink);
    if (sink.position() > SegmentFormat.MAX_BODY_BYTES) {
      throw new IllegalArgumentException("record encodes to " + sink.position() + " bytes; at most "
          + SegmentFormat.MAX_BODY_BYTES + " allowed");
    }
    Pending p = new Pending(java.util.Arrays.copyOf(sink.array(), sink.position()), null);
    try {
      queue.put(p);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.failedFuture(new AuditException(AuditException.Reason.LOG_UNAVAILABLE,
          "interrupted while waiting for the audit writer"));
    }
    if (metrics != null) {
      metrics.appended(record);
    }
    return p.seq;
  }

  /**
   * Writes a checkpoint over every record appended before this call, once they are durable. If
   * the latest checkpoint already covers them, returns it.
   */
  public CompletableFuture<Checkpoint> checkpoint() {
    CompletableFuture<Checkpoint> cf = new CompletableFuture<>();
    AuditException f = failure;
    if (f != null || closing) {
      cf.completeExceptionally(f != null ? f
          : new AuditException(AuditException.Reason.LOG_UNAVAILABLE, "audit log " + dir + " is closed"));
      return cf;
    }
    try {
      queue.put(new Pending(null, cf));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cf.completeExceptionally(new AuditException(AuditException.Reason.LOG_UNAVAILABLE, "interrupted"));
    }
    return cf;
  }

  public Path directory() {
    return dir;
  }

  /** Groups for which the writer lingered {@code commitDelay} (tests). */
  long lingeredGroups() {
    return lingeredGroups;
  }

  /** Groups of records forced to disk so far (tests). */
  long forcedGroups() {
    return forcedGroups;
  }

  /** The log id (32 hex digits) that every segment header and checkpoint names. */
  public String logId() {
    return logId;
  }

  public HashAlgorithm hashAlgorithm() {
    return hashAlgorithm;
  }

  /** The number of durable records. */
  public long size() {
    return durableSize;
  }

  public Optional<Checkpoint> latestCheckpoint() {
    return Optional.ofNullable(latest);
  }

  /** Bytes of a torn tail that opening this log cut off (kept in a {@code torn-*.bin} file); 0 if none. */
  public long recoveredTailBytes() {
    return recoveredTailBytes;
  }

  /** The failure that closed the log for writing, if any. */
  public Optional<AuditException> failure() {
    return Optional.ofNullable(failure);
  }

  /**
   * Writes what is queued, a final checkpoint over any uncovered records, and closes the files.
   * Later appends fail. Waits for the writer to finish.
   */
  @Override
  public void close() {
    closing = true;
    LockSupport.unpark(writer); // ends a commitDelay linger
    // wake the writer with a no-op item; never interrupt it: an interrupt closes a FileChannel
    // in the middle of a write and would turn a clean close into a failure
    try {
      queue.put(new Pending(null, null));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // an append that raced with close: fail it rather than leave its future pending forever
    List<Pending> left = new ArrayList<>();
    queue.drainTo(left);
    failAll(left, new AuditException(AuditException.Reason.LOG_UNAVAILABLE, "audit log " + dir + " is closed"));
    closeQuietly(segment);
    closeQuietly(checkpoints);
    try {
      lock.release();
    } catch (IOException e) {
      // the channel close below releases it too
    }
    closeQuietly(lockChannel);
  }

  // ---------------------------------------------------------------- writer thread

  private void runWriter() {
    List<Pending> batch = new ArrayList<>(settings.maxBatchRecords);
    long intervalNanos = settings.checkpointInterval.toNanos();
    while (true) {
      Pending first = null;
      try {
        if (!closing) {
          long waitNanos = Math.max(1_000_000L, lastCheckpointNanos + intervalNanos - System.nanoTime());
          first = queue.poll(Math.min(waitNanos, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
        } else {
          first = queue.poll();
        }
      } catch (InterruptedException e) {
        // nobody should interrupt the writer; the closing flag decides when it ends
        continue;
      }
      if (first == null) {
        if (failure == null && nextSeq > lastCheckpointSize
            && (closing || System.nanoTime() - lastCheckpointNanos >= intervalNanos)) {
          writeCheckpoint(null);
        }
        if (closing) {
          return;
        }
        continue;
      }
      batch.add(first);
      queue.drainTo(batch, settings.maxBatchRecords - 1);
      // Linger only under concurrent load (this group or the previous one has several records): a
      // lone record is forced at once, so commitDelay never slows down a quiet log. The writer
      // sleeps rather than polling, so appenders do not wake it once per record.
      if (!settings.commitDelay.isZero() && batch.size() < settings.maxBatchRecords && !closing
          && (batch.size() > 1 || lastGroupRecords > 1)) {
        long deadline = System.nanoTime() + settings.commitDelay.toNanos();
        long left;
        while (!closing && (left = deadline - System.nanoTime()) > 0) {
          LockSupport.parkNanos(this, left);
        }
        queue.drainTo(batch, settings.maxBatchRecords - batch.size());
        lingeredGroups++;
      }
      commit(batch);
      batch.clear();
    }
  }

  private void commit(List<Pending> batch) {
    if (failure != null) {
      failAll(batch, failure);
      return;
    }
    long firstSeq = nextSeq;
    List<CompletableFuture<Checkpoint>> checkpointRequests = null;
    try {
      sink.reset();
      for (Pending p : batch) {
        if (p.record == null) {
          if (p.checkpoint != null) {
            if (checkpointRequests == null) {
              checkpointRequests = new ArrayList<>();
            }
            checkpointRequests.add(p.checkpoint);
          }
          continue;
        }
        int start = sink.position();
        sink.u32(0);
        sink.u32(0);
        sink.bytes(p.record, 0, p.record.length);
        RecordCodec.putLong(sink.array(), start + 8 + RecordCodec.SEQ_OFFSET, nextSeq);
        int bodyLen = p.record.length;
        if (segmentRecords > 0 && segmentBytes + sink.position() > settings.segmentMaxBytes) {
          // rotate: write what came before this record to the old segment first
          writeSink(start);
          segment.force(false);
          segment.close();
          segmentIndex++;
          openNewSegment();
          System.arraycopy(sink.array(), start, sink.array(), 0, bodyLen + 8);
          sink.position(bodyLen + 8);
          start = 0;
        }
        byte[] b = sink.array();
        hasher.leaf(b, start + 8, bodyLen, leaf, 0);
        hasher.chain(chain, leaf, 0, chain);
        sink.bytes(chain, 0, TreeHasher.SIZE);
        b = sink.array();
        RecordCodec.putInt(b, start, bodyLen);
        crc.reset();
        crc.update(b, start + 8, bodyLen + TreeHasher.SIZE);
        RecordCodec.putInt(b, start + 4, (int) crc.getValue());
        frontier.append(leaf, 0);
        nextSeq++;
        segmentRecords++;
      }
      writeSink(sink.position());
      segment.force(false);
    } catch (IOException | RuntimeException e) {
      AuditException ex = unavailable("audit log " + dir + " cannot be written", e);
      failure = ex;
      LOG.error("audit log {} failed; appends fail until it is reopened: {}", dir, e.toString());
      failAll(batch, ex);
      return;
    }
    durableSize = nextSeq;
    lastGroupRecords = (int) (nextSeq - firstSeq);
    if (lastGroupRecords > 0) {
      forcedGroups++;
    }
    long seq = firstSeq;
    for (Pending p : batch) {
      if (p.record != null) {
        p.seq.complete(seq++);
      }
    }
    if (checkpointRequests != null || nextSeq - lastCheckpointSize >= settings.checkpointEveryRecords
        || (nextSeq > lastCheckpointSize && System.nanoTime() - lastCheckpointNanos >= settings.checkpointInterval.toNanos())) {
      writeCheckpoint(checkpointRequests);
    }
  }

  private void writeSink(int end) throws IOException {
    ByteBuffer bb = ByteBuffer.wrap(sink.array(), 0, end);
    while (bb.hasRemaining()) {
      segment.write(bb);
    }
    segmentBytes += end;
  }

  private void writeCheckpoint(@Nullable List<CompletableFuture<Checkpoint>> requests) {
    Checkpoint cp = latest;
    try {
      if (cp == null || cp.treeSize() < nextSeq) {
        cp = Checkpoint.sign(logId, hashAlgorithm, nextSeq, frontier.root(), chain.clone(),
            settings.clock.instant(), keyId, signer);
        byte[] line = (cp.toJsonLine() + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.wrap(line);
        while (bb.hasRemaining()) {
          checkpoints.write(bb);
        }
        checkpoints.force(false);
        latest = cp;
      }
      lastCheckpointSize = nextSeq;
      lastCheckpointNanos = System.nanoTime();
    } catch (IOException | RuntimeException e) {
      AuditException ex = unavailable("audit log " + dir + " cannot write a checkpoint", e);
      failure = ex;
      LOG.error("audit log {} failed writing a checkpoint; appends fail until it is reopened: {}", dir, e.toString());
      if (requests != null) {
        requests.forEach(r -> r.completeExceptionally(ex));
      }
      return;
    }
    if (requests != null) {
      for (CompletableFuture<Checkpoint> r : requests) {
        r.complete(cp);
      }
    }
  }

  private void failAll(List<Pending> batch, AuditException ex) {
    for (Pending p : batch) {
      p.seq.completeExceptionally(ex);
      if (p.checkpoint != null) {
        p.checkpoint.completeExceptionally(ex);
      }
    }
    if (metrics != null && !batch.isEmpty()) {
      metrics.failed();
    }
  }

  private static AuditException unavailable(String what, Throwable e) {
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    return new AuditException(AuditException.Reason.LOG_UNAVAILABLE, what + " (" + detail + ")", e);
  }

  private static void closeQuietly(@Nullable AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        // closing after a failure: nothing more to report
      }
    }
  }

  /** Builds an {@link AuditLog}: every option has a secure, durable default. */
  public static final class Builder {
    private final Path dir;
    private final PartyIdentity operator;
    private final Settings s = new Settings();

    private Builder(Path dir, PartyIdentity operator) {
      this.dir = Objects.requireNonNull(dir, "dir");
      this.operator = Objects.requireNonNull(operator, "operator");
    }

    /** Hash of chain and tree for a new log; default SM3 for a GM operator key, else SHA-256. */
    public Builder hashAlgorithm(HashAlgorithm a) {
      s.hashAlgorithm = Objects.requireNonNull(a, "hashAlgorithm");
      return this;
    }

    /** Writes a checkpoint after this many new records (default 10,000; 1 .. 100,000,000). */
    public Builder checkpointEveryRecords(int n) {
      if (n < 1 || n > 100_000_000) {
        throw new IllegalArgumentException("checkpointEveryRecords must be in [1, 100000000], got " + n);
      }
      s.checkpointEveryRecords = n;
      return this;
    }

    /** Writes a checkpoint at least this often while records arrive (default 10 s; 1 ms .. 1 day). */
    public Builder checkpointInterval(Duration d) {
      if (d.compareTo(Duration.ofMillis(1)) < 0 || d.compareTo(Duration.ofDays(1)) > 0) {
        throw new IllegalArgumentException("checkpointInterval must be in [1ms, 1d], got " + d);
      }
      s.checkpointInterval = d;
      return this;
    }

    /**
     * How long the writer lingers for more records before forcing a group, under concurrent load
     * only: when the group or the one before it holds several records (default 0: a group is
     * whatever arrived while the previous one was forced; at most 1 s). A lone record is forced at
     * once, so a quiet log never waits. A few milliseconds under load means far fewer forces for
     * the same records, at the price of that much more latency per record.
     */
    public Builder commitDelay(Duration d) {
      if (d.isNegative() || d.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException("commitDelay must be in [0, 1s], got " + d);
      }
      s.commitDelay = d;
      return this;
    }

    /** The most records per group commit (default 8192; 1 forces every record on its own). */
    public Builder maxBatchRecords(int n) {
      if (n < 1 || n > 1_000_000) {
        throw new IllegalArgumentException("maxBatchRecords must be in [1, 1000000], got " + n);
      }
      s.maxBatchRecords = n;
      return this;
    }

    /** Starts a new segment file when the current one would grow past this (default 64 MiB; 4 KiB .. 1 GiB). */
    public Builder segmentMaxBytes(long n) {
      if (n < 4096 || n > (1L << 30)) {
        throw new IllegalArgumentException("segmentMaxBytes must be in [4096, 1073741824], got " + n);
      }
      s.segmentMaxBytes = n;
      return this;
    }

    /** How many records may wait for the writer before {@code append} blocks (default 65,536). */
    public Builder queueCapacity(int n) {
      if (n < 1 || n > 10_000_000) {
        throw new IllegalArgumentException("queueCapacity must be in [1, 10000000], got " + n);
      }
      s.queueCapacity = n;
      return this;
    }

    /** Publishes counters and timers per provider, consumer, resource and outcome (default: none). */
    public Builder meterRegistry(MeterRegistry registry) {
      s.meterRegistry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** The clock for checkpoint times (default UTC system clock). */
    public Builder clock(Clock clock) {
      s.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Opens (creating if needed) the log, recovering from a crash as the class comment says.
     *
     * @throws AuditException NOT_A_LOG, UNSUPPORTED_VERSION, LOG_CORRUPT, or LOG_UNAVAILABLE when
     *     the directory cannot be written or another writer holds it
     */
    public AuditLog open() throws AuditException {
      return new AuditLog(dir, operator, s);
    }
  }
}
