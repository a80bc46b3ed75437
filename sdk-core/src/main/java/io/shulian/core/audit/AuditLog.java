package io.shulian.core.audit;

import io.shulian.core.internal.access.CoreAccess;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.security.MessageDigest;
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
 * <p><b>Fail closed on vanished files.</b> After forcing each group, before completing its
 * futures, and every second while idle, the writer checks that the directory, the current segment
 * and {@code checkpoints.jsonl} are still the files it has open (file key: device and inode). If
 * one was deleted or replaced, the log fails as above.
 *
 * <p><b>Opening: the checkpoint history must vouch for the records.</b> A new log starts with a
 * signed checkpoint over the empty tree. Opening an existing log rescans it and takes the latest
 * checkpoint: it must be signed with the operator's key (or one given with {@link
 * Builder#previousSigningCertificates}) and match the records (Merkle root and chain head at its
 * size). Records without such a checkpoint (a missing or empty {@code checkpoints.jsonl}, a
 * checkpoint signed by a key the writer cannot verify) refuse to open ({@code LOG_CORRUPT}) unless
 * the operator acknowledges them ({@link Builder#acknowledgeUnprovenRecords}); a forged checkpoint
 * signature or records that contradict a checkpoint always refuse. Records after a valid
 * checkpoint are what a crash between a group commit and the next checkpoint leaves; they are
 * continued. An incomplete or damaged frame at the end of the last segment that no checkpoint
 * covers is also a crash's: its bytes are preserved in a {@code torn-*.bin} file and the segment is
 * truncated, then the chain continues. Damage anywhere else, or under a checkpoint, refuses to open
 * ({@code LOG_CORRUPT}); run the verifier. Nothing is changed on disk before these checks pass.
 *
 * <p>One writer per directory (a file lock enforces it). Thread-safe.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  /** How often an idle writer checks that its files are still there (a busy one checks every group). */
  private static final long FILE_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
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
  private final @Nullable Listener listener;
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
  private FileChannel checkpoints;
  /** File identities (inode) of the directory, the current segment and the checkpoint file, or null. */
  private @Nullable Object dirKey;
  private @Nullable Object segmentKey;
  private @Nullable Object checkpointsKey;
  private @Nullable Path segmentPath;
  private long lastFileCheckNanos;
  private @Nullable Checkpoint acknowledgedOnOpen;
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
    @Nullable HashAlgorithm hashAlgorithm;
    int checkpointEveryRecords = 10_000;
    Duration checkpointInterval = Duration.ofSeconds(10);
    Duration commitDelay = Duration.ZERO;
    int maxBatchRecords = 8192;
    long segmentMaxBytes = 64L << 20;
    int queueCapacity = 65_536;
    @Nullable Listener listener;
    Clock clock = Clock.systemUTC();
    List<PartyCertificate> previousSigners = List.of();
    @Nullable String acknowledgeReason;
  }

  // segment is set by openNewSegment(), which NullAway does not follow; the finally closes only what was opened
  @SuppressWarnings("NullAway.Init")
  private AuditLog(Path dir, PartyIdentity operator, Settings s) throws AuditException {
    this.dir = dir;
    this.settings = s;
    this.signer = CoreAccess.keys().signingKey(operator).signer();
    this.keyId = operator.signingCertificate().keyId();
    this.listener = s.listener;
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
      CheckpointFile cpf = readCheckpoints(dir, true);
      Checkpoint last = cpf.last();
      long covered = last == null ? 0 : last.treeSize();
      LogScanner scanner = new LogScanner(dir);
      if (last != null) {
        scanner.checkAt(covered);
      }
      byte[][] head = new byte[2][];
      LogScanner.Result scan = scanner.scan(new LogScanner.Visitor() {
        @Override
        public boolean wantsRecords() {
          return false;
        }

        @Override
        public void atSize(long size, byte[] root, byte[] chainHead) {
          head[0] = root;
          head[1] = chainHead;
        }
      });
      boolean crashTail = false;
      if (scan.problem != null) {
        LogScanner.Problem p = scan.problem;
        crashTail = p.inLastSegment && p.seq >= covered
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
      }
      if (scan.records < covered) {
        throw new AuditException(AuditException.Reason.LOG_CORRUPT, "audit log " + dir + " holds " + scan.records
            + " records but its last checkpoint covers " + covered + ": records were removed. Refusing to write.");
      }
      Checkpoint.Acknowledgment ack = null;
      if (scan.logId == null) {
        // a new log, or a crash before the first header was complete (that file is moved aside)
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
        if (last != null && (!last.logId().equals(logId) || last.hashAlgorithm() != hashAlgorithm)) {
          throw new AuditException(AuditException.Reason.LOG_CORRUPT, "checkpoints in " + dir + " belong to log "
              + last.logId() + " (" + last.hashAlgorithm().displayName() + "), segments to log " + logId
              + "; refusing to write. Keep the directory as evidence and start on a new log directory.");
        }
        ack = checkHistory(dir, cpf, scan.records, head, operator.signingCertificate(), s);
      }
      // every check passed: only now repair what a crash left behind
      if (cpf.tornLineOffset >= 0) {
        Path f = dir.resolve(SegmentFormat.CHECKPOINTS_FILE);
        LOG.warn("audit log {}: dropping an incomplete checkpoint line ({} bytes) left by a crash", dir,
            Files.size(f) - cpf.tornLineOffset);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
          ch.truncate(cpf.tornLineOffset);
          ch.force(true);
        }
      }
      LogScanner.Problem tail = crashTail ? scan.problem : null;
      long torn = tail != null ? quarantineTail(tail.segment, tail.offset) : 0;
      this.recoveredTailBytes = Math.max(0, torn);
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
        this.segmentPath = lastSeg;
        this.segmentKey = fileKey(lastSeg);
        this.segmentBytes = torn > 0 ? segment.size() : scan.validEnd;
        segment.position(segmentBytes);
        this.segmentRecords = 1; // a reopened segment is never rotated before its first new record
      }
      this.checkpoints = FileChannel.open(dir.resolve(SegmentFormat.CHECKPOINTS_FILE),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      if (!cpf.exists) {
        syncDirectory();
      }
      storeCertificate(operator.signingCertificate());
      this.dirKey = fileKey(dir);
      this.checkpointsKey = fileKey(dir.resolve(SegmentFormat.CHECKPOINTS_FILE));
      if (ack != null) {
        Checkpoint cp = appendCheckpoint(ack);
        this.acknowledgedOnOpen = cp;
        LOG.warn("audit log {}: records seq {}..{} were accepted without a verifiable checkpoint, as the operator "
            + "acknowledged: {}", dir, ack.fromSeq(), nextSeq - 1, ack.reason());
      } else if (last == null) {
        // every log starts with a signed checkpoint, so that records without one are never a normal state
        appendCheckpoint(null);
      } else if (!last.signedWith(operator.signingCertificate())) {
        // accepted through a previous signing certificate (a key rotation): hand over to the current
        // key at once, so that the log opens with the current key alone from now on
        appendCheckpoint(null);
      }
      this.lastCheckpointSize = latest == null ? 0 : latest.treeSize();
      ok = true;
    } catch (IOException e) {
      throw unavailable("cannot open audit log " + dir, e);
    } catch (AuditException e) {
      throw e;
    } catch (Exception e) {
      throw unavailable("cannot open audit log " + dir, e);
    } finally {
      if (!ok) {
        closeQuietly(segment);
        closeQuietly(checkpoints);
        closeQuietly(lockChannel);
      }
    }
    this.queue = new ArrayBlockingQueue<>(s.queueCapacity);
    this.writer = new Thread(this::runWriter, "shulian-audit-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * Decides whether the checkpoint history vouches for the records (see the class comment). Returns
   * null if it does, or the acknowledgement to sign if it does not and the operator acknowledged
   * that; throws otherwise.
   *
   * @param head the Merkle root and chain head of the records at the latest checkpoint's size
   */
  private static Checkpoint.@Nullable Acknowledgment checkHistory(Path dir, CheckpointFile cpf, long records,
      byte[][] head, PartyCertificate own, Settings s) throws Exception {
    Checkpoint last = cpf.last();
    String gap;
    if (last == null) {
      if (records == 0) {
        return null;
      }
      gap = "audit log " + dir + " holds " + records + " records but " + (cpf.exists
          ? SegmentFormat.CHECKPOINTS_FILE + " holds no signed checkpoint"
          : SegmentFormat.CHECKPOINTS_FILE + " is missing") + ": no signed checkpoint vouches for them, so they may have"
          + " been rewritten (every log this version writes starts with a signed checkpoint)";
    } else {
      if (!MessageDigest.isEqual(head[0], last.root()) || !MessageDigest.isEqual(head[1], last.chainHead())) {
        throw new AuditException(AuditException.Reason.LOG_CORRUPT, "audit log " + dir + " does not match its latest"
            + " signed checkpoint (tree size " + last.treeSize() + "): the " + (MessageDigest.isEqual(head[0], last.root())
            ? "chain head" : "Merkle root") + " differs, so a record at or before seq " + (last.treeSize() - 1)
            + " was changed, removed, inserted or reordered. Refusing to write. " + EVIDENCE);
      }
      if (signedByUs(last, own, s.previousSigners)) {
        return null;
      }
      if (last.keyId().equals(own.keyId())) {
        throw new AuditException(AuditException.Reason.LOG_CORRUPT, "the latest checkpoint of audit log " + dir
            + " (tree size " + last.treeSize() + ") names this writer's key " + own.keyId() + " but its signature does"
            + " not verify: " + SegmentFormat.CHECKPOINTS_FILE + " was altered. Refusing to write. " + EVIDENCE);
      }
      gap = "the latest checkpoint of audit log " + dir + " (tree size " + last.treeSize() + ") is signed by key "
          + last.keyId() + ", which this writer cannot verify (its key is " + own.keyId() + "). After a key rotation,"
          + " seal the log once with the new key: 'shulian audit checkpoint --log " + dir + " --key <new key.p12> --trust"
          + " <previous signing certificate>'";
    }
    if (s.acknowledgeReason == null) {
      throw new AuditException(AuditException.Reason.LOG_CORRUPT, gap + ". Refusing to sign them. Keep a copy of the"
          + " directory as evidence and run 'shulian audit verify --log " + dir + " --trust <operator certificate>' (with"
          + " '--checkpoint <file>' for a checkpoint kept outside the log, such as the collector's copy). Then start on a"
          + " new, empty log directory, or accept these records as unproven with 'shulian audit checkpoint --log " + dir
          + " --key <operator key.p12> --acknowledge-unproven <reason>' (verification reports the acknowledgement).");
    }
    // the acknowledgement starts after the latest checkpoint this writer can verify, if it matches the records
    for (int i = cpf.checkpoints.size() - 1; i >= 0; i--) {
      Checkpoint cp = cpf.checkpoints.get(i);
      if (!signedByUs(cp, own, s.previousSigners)) {
        continue;
      }
      byte[][] at = new byte[2][];
      new LogScanner(dir).checkAt(cp.treeSize()).scan(new LogScanner.Visitor() {
        @Override
        public boolean wantsRecords() {
          return false;
        }

        @Override
        public void atSize(long size, byte[] root, byte[] chainHead) {
          at[0] = root;
          at[1] = chainHead;
        }
      });
      if (at[0] == null || !MessageDigest.isEqual(at[0], cp.root()) || !MessageDigest.isEqual(at[1], cp.chainHead())) {
        throw new AuditException(AuditException.Reason.LOG_CORRUPT, "audit log " + dir + " does not match its signed"
            + " checkpoint at tree size " + cp.treeSize() + ": records were changed, so they cannot be acknowledged. "
            + EVIDENCE);
      }
      return cp.treeSize() < records ? new Checkpoint.Acknowledgment(cp.treeSize(), s.acknowledgeReason) : null;
    }
    return new Checkpoint.Acknowledgment(0, s.acknowledgeReason);
  }

  private static final String EVIDENCE = "Keep the directory as evidence, run 'shulian audit verify', and start the"
      + " gateway on a new log directory.";

  private static boolean signedByUs(Checkpoint cp, PartyCertificate own, List<PartyCertificate> previous) {
    if (cp.signedWith(own)) {
      return true;
    }
    for (PartyCertificate c : previous) {
      if (cp.signedWith(c)) {
        return true;
      }
    }
    return false;
  }

  /** The file's identity (device and inode where the platform has them), or null if it has none. */
  private static @Nullable Object fileKey(Path p) throws IOException {
    return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class,
        java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey();
  }

  /**
   * Checks that the directory, the current segment and the checkpoint file are still the files
   * this writer has open. If someone deleted or replaced them, what was just written went to files
   * nobody will read: the caller fails closed.
   */
  private void checkFiles() throws IOException {
    lastFileCheckNanos = System.nanoTime();
    check(dir, dirKey, "the log directory");
    if (segmentPath != null) {
      check(segmentPath, segmentKey, "segment " + segmentPath.getFileName());
    }
    check(dir.resolve(SegmentFormat.CHECKPOINTS_FILE), checkpointsKey, SegmentFormat.CHECKPOINTS_FILE);
  }

  private static void check(Path p, @Nullable Object key, String what) throws IOException {
    Object now;
    try {
      now = fileKey(p);
    } catch (IOException e) {
      throw new IOException(what + " was deleted or replaced while the log was open (" + e.getClass().getSimpleName()
          + ")");
    }
    if (key != null && !key.equals(now)) {
      throw new IOException(what + " was deleted or replaced while the log was open (it is another file now)");
    }
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

  /** What {@code checkpoints.jsonl} holds. */
  static final class CheckpointFile {
    /** False if the file does not exist. */
    final boolean exists;
    /** The distinct checkpoints in file order, tree sizes strictly increasing. */
    final List<Checkpoint> checkpoints;
    /** Lines that repeat the checkpoint before them exactly (counted once). */
    final int repeatedLines;
    /** Where an incomplete last line (a crash while writing it) starts, or -1. */
    final long tornLineOffset;

    CheckpointFile(boolean exists, List<Checkpoint> checkpoints, int repeatedLines, long tornLineOffset) {
      this.exists = exists;
      this.checkpoints = List.copyOf(checkpoints);
      this.repeatedLines = repeatedLines;
      this.tornLineOffset = tornLineOffset;
    }

    @Nullable Checkpoint last() {
      return checkpoints.isEmpty() ? null : checkpoints.get(checkpoints.size() - 1);
    }
  }

  /**
   * Reads {@code checkpoints.jsonl}. An incomplete last line (no newline: a crash while writing
   * it) is skipped when {@code forWriter} is set (the writer cuts it off once it has decided to
   * open the log), and is {@code LOG_CORRUPT} for readers unless it parses. Tree sizes must not
   * shrink from line to line: a line that repeats the one before it exactly is counted once; a
   * second checkpoint of the same size must state the same tree (the writer signs one after a key
   * rotation); a smaller tree size, or another root or chain head for the same size, is {@code
   * LOG_CORRUPT} (the writer never writes either).
   */
  static CheckpointFile readCheckpoints(Path dir, boolean forWriter) throws IOException, AuditException {
    Path f = dir.resolve(SegmentFormat.CHECKPOINTS_FILE);
    List<Checkpoint> out = new ArrayList<>();
    if (!Files.exists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return new CheckpointFile(false, out, 0, -1);
    }
    if (!Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.size(f) > (1L << 30)) {
      throw new AuditException(AuditException.Reason.LOG_CORRUPT, f + " is not a regular file of at most 1 GiB");
    }
    byte[] data = Files.readAllBytes(f);
    int start = 0;
    int lineNo = 0;
    int repeated = 0;
    long torn = -1;
    while (start < data.length) {
      int nl = start;
      while (nl < data.length && data[nl] != '\n') {
        nl++;
      }
      lineNo++;
      Checkpoint cp;
      if (nl == data.length) {
        // no newline: the checkpoint was being written when the process died
        if (forWriter) {
          torn = start;
          break;
        }
        try {
          cp = Checkpoint.fromTree(Checkpoint.JSON.readTree(new String(data, start, nl - start, StandardCharsets.UTF_8)));
        } catch (IOException | AuditException e) {
          throw new AuditException(AuditException.Reason.LOG_CORRUPT, f + " line " + lineNo
              + " is incomplete (a crash while writing it, or an altered file)");
        }
      } else {
        cp = parseLine(f, lineNo, data, start, nl);
      }
      if (repeats(f, lineNo, out.isEmpty() ? null : out.get(out.size() - 1), cp)) {
        repeated++;
      } else {
        out.add(cp);
      }
      start = nl + 1;
    }
    return new CheckpointFile(true, out, repeated, torn);
  }

  /**
   * True if {@code cp} (line {@code lineNo}) repeats the checkpoint before it; LOG_CORRUPT if it
   * conflicts with it (the same tree size with another root or chain head, or a smaller tree size).
   */
  static boolean repeats(Path f, int lineNo, @Nullable Checkpoint prev, Checkpoint cp) throws AuditException {
    if (prev == null) {
      return false;
    }
    if (cp.equals(prev)) {
      return true;
    }
    if (cp.treeSize() == prev.treeSize() && !sameTree(cp, prev)) {
      throw new AuditException(AuditException.Reason.LOG_CORRUPT, f + " line " + lineNo + ": checkpoint at tree size "
          + cp.treeSize() + " conflicts with the checkpoint of the same size before it (another root or chain head)");
    }
    if (cp.treeSize() < prev.treeSize()) {
      throw new AuditException(AuditException.Reason.LOG_CORRUPT, f + " line " + lineNo + ": tree size "
          + cp.treeSize() + " is smaller than the checkpoint before it (" + prev.treeSize() + ")");
    }
    return false;
  }

  /** True if both checkpoints state the same tree (e.g. the same size signed again after a key rotation). */
  private static boolean sameTree(Checkpoint a, Checkpoint b) {
    return a.logId().equals(b.logId()) && a.hashAlgorithm() == b.hashAlgorithm() && a.treeSize() == b.treeSize()
        && MessageDigest.isEqual(a.root(), b.root()) && MessageDigest.isEqual(a.chainHead(), b.chainHead());
  }

  static Checkpoint parseLine(Path f, int lineNo, byte[] data, int start, int end) throws AuditException {
    JsonNode n;
    try {
      n = Checkpoint.JSON.readTree(new String(data, start, end - start, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new AuditException(AuditException.Reason.LOG_CORRUPT, f + " line " + lineNo + " is not JSON");
    }
    try {
      return Checkpoint.fromTree(n);
    } catch (AuditException e) {
      if (e.reason() == AuditException.Reason.UNSUPPORTED_VERSION) {
        throw new AuditException(e.reason(), f + " line " + lineNo + ": " + e.getMessage());
      }
      throw new AuditException(AuditException.Reason.LOG_CORRUPT, f + " line " + lineNo + ": " + e.getMessage());
    }
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
    segmentPath = p;
    segmentKey = fileKey(p);
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
      notifyFailure();
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
    Listener l = listener;
    if (l != null) {
      try {
        l.onAppend(record);
      } catch (RuntimeException e) {
        listenerFailed(e);
      }
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

  /**
   * The checkpoint with an {@link Checkpoint.Acknowledgment} that opening this log wrote (only with
   * {@link Builder#acknowledgeUnprovenRecords}, and only if there was something to acknowledge).
   */
  public Optional<Checkpoint> acknowledgedOnOpen() {
    return Optional.ofNullable(acknowledgedOnOpen);
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
          // wake for a due checkpoint, and at least every FILE_CHECK_NANOS to check the files
          long waitNanos = nextSeq > lastCheckpointSize
              ? Math.max(1_000_000L, lastCheckpointNanos + intervalNanos - System.nanoTime()) : FILE_CHECK_NANOS;
          first = queue.poll(Math.min(waitNanos, FILE_CHECK_NANOS), TimeUnit.NANOSECONDS);
        } else {
          first = queue.poll();
        }
      } catch (InterruptedException e) {
        // nobody should interrupt the writer; the closing flag decides when it ends
        continue;
      }
      if (first == null) {
        if (failure == null && !closing && System.nanoTime() - lastFileCheckNanos >= FILE_CHECK_NANOS) {
          try {
            checkFiles();
          } catch (IOException e) {
            fail(unavailable("audit log " + dir + " cannot be written", e));
          }
        }
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
    long startNanos = System.nanoTime();
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
      // only records in the files the log consists of are durable: not in a deleted or replaced one
      checkFiles();
    } catch (IOException | RuntimeException e) {
      failAll(batch, fail(unavailable("audit log " + dir + " cannot be written", e)));
      return;
    }
    durableSize = nextSeq;
    lastGroupRecords = (int) (nextSeq - firstSeq);
    if (lastGroupRecords > 0) {
      forcedGroups++;
      Listener l = listener;
      if (l != null) {
        try {
          l.onCommit(lastGroupRecords, System.nanoTime() - startNanos);
        } catch (RuntimeException e) {
          listenerFailed(e);
        }
      }
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
        cp = appendCheckpoint(null);
      }
      lastCheckpointSize = nextSeq;
      lastCheckpointNanos = System.nanoTime();
    } catch (IOException | RuntimeException e) {
      AuditException ex = fail(unavailable("audit log " + dir + " cannot write a checkpoint", e));
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

  /** Signs a checkpoint over every record so far, appends it to the checkpoint file and forces it. */
  private Checkpoint appendCheckpoint(Checkpoint.@Nullable Acknowledgment ack) throws IOException {
    Checkpoint cp = Checkpoint.sign(logId, hashAlgorithm, nextSeq, frontier.root(), chain.clone(),
        settings.clock.instant(), keyId, signer, ack);
    byte[] line = (cp.toJsonLine() + "\n").getBytes(StandardCharsets.UTF_8);
    ByteBuffer bb = ByteBuffer.wrap(line);
    while (bb.hasRemaining()) {
      checkpoints.write(bb);
    }
    checkpoints.force(false);
    checkFiles();
    latest = cp;
    return cp;
  }

  /** Closes the log for writing with {@code ex} (the first failure wins) and logs it once. */
  private AuditException fail(AuditException ex) {
    if (failure == null) {
      failure = ex;
      LOG.error("audit log {} failed; appends fail until it is reopened: {}", dir, ex.getMessage());
    }
    return failure;
  }

  private void failAll(List<Pending> batch, AuditException ex) {
    for (Pending p : batch) {
      p.seq.completeExceptionally(ex);
      if (p.checkpoint != null) {
        p.checkpoint.completeExceptionally(ex);
      }
    }
    if (!batch.isEmpty()) {
      notifyFailure();
    }
  }

  private void notifyFailure() {
    Listener l = listener;
    if (l != null) {
      try {
        l.onFailure();
      } catch (RuntimeException e) {
        listenerFailed(e);
      }
    }
  }

  private void listenerFailed(RuntimeException e) {
    LOG.atWarn().addKeyValue("event", "audit_listener_failed").addKeyValue("log", dir)
        .log("audit log listener threw {}; the log itself is unaffected", e.toString());
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

  /**
   * Observes an audit log, e.g. to publish metrics. Calls must return quickly and never block:
   * {@link #onAppend} runs on the appending thread, {@link #onCommit} on the log's single writer
   * thread. An exception thrown by a listener is logged and otherwise ignored; it never fails an
   * append. Every method does nothing by default.
   */
  public interface Listener {
    /** Called after {@code record} is queued for writing (not yet durable). */
    default void onAppend(AuditRecord record) {}

    /** Called after a group of {@code records} records was written and forced to disk in {@code durationNanos}. */
    default void onCommit(int records, long durationNanos) {}

    /** Called when an append is refused or a group cannot be written because the log failed or is closed. */
    default void onFailure() {}
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

    /**
     * Tells {@code listener} about appends, group commits and failures, e.g. to publish metrics
     * (default: none; the gateway's Micrometer binding is {@code io.shulian.gateway.ops.AuditMeters}).
     */
    public Builder listener(Listener listener) {
      s.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Accepts checkpoints signed with these certificates' keys when the log is opened: the
     * operator's earlier signing certificates, after a key rotation (default: none; the operator's
     * own key is always accepted). The next checkpoint is signed with the current key, so this is
     * needed once (as {@code shulian audit checkpoint --trust}).
     */
    public Builder previousSigningCertificates(java.util.Collection<PartyCertificate> certificates) {
      List<PartyCertificate> l = List.copyOf(certificates);
      for (PartyCertificate c : l) {
        if (!c.allows(io.shulian.core.keys.KeyUse.SIGN)) {
          throw new IllegalArgumentException("certificate " + c.keyId() + " of " + c.party() + " does not allow signing");
        }
      }
      s.previousSigners = l;
      return this;
    }

    /**
     * Opens a log whose records are not covered by a checkpoint this writer can verify (for example
     * because {@code checkpoints.jsonl} was deleted), which it otherwise refuses, and signs a
     * checkpoint that records the operator's acknowledgement: records from the last verifiable
     * checkpoint on were accepted without proof, for {@code reason}. Verification reports it for
     * good. Records that contradict a signed checkpoint are refused even so. For {@code shulian
     * audit checkpoint --acknowledge-unproven}; never for a gateway's normal start.
     *
     * @param reason one line, 1 to 500 characters, e.g. an incident number
     */
    public Builder acknowledgeUnprovenRecords(String reason) {
      Checkpoint.checkReason(Objects.requireNonNull(reason, "reason"));
      s.acknowledgeReason = reason;
      return this;
    }

    /** The clock for checkpoint times (default UTC system clock). */
    public Builder clock(Clock clock) {
      s.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Opens (creating if needed) the log, checking its checkpoint history and recovering from a
     * crash as the class comment says.
     *
     * @throws AuditException NOT_A_LOG, UNSUPPORTED_VERSION, LOG_CORRUPT (damaged or altered, or no
     *     verifiable checkpoint vouches for the records; the message says what to do), or
     *     LOG_UNAVAILABLE when the directory cannot be written or another writer holds it
     */
    public AuditLog open() throws AuditException {
      return new AuditLog(dir, operator, s);
    }
  }
}
