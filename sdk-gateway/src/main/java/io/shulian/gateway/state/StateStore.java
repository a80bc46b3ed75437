package io.shulian.gateway.state;

import io.shulian.core.envelope.ReplayCache;
import io.shulian.core.envelope.ReplayStateUnavailableException;
import io.shulian.core.policy.GrantUseCounter;
import io.shulian.core.policy.RateLimiter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state a gateway keeps across restarts, in its state directory: the ids of opened envelopes
 * until they expire ({@link #replayCache()}) and the uses of grants ({@link #grantUses()}), so that
 * an envelope served before a restart is still refused as replayed and a used-up grant stays used
 * up. (The newest accepted city bundle is kept in the same directory by the bundle holder.)
 *
 * <p><b>Durability.</b> Every new fact is appended to a journal (see {@link Journal}) by one writer
 * thread in group commits: what arrived while the previous group was forced goes into the next
 * one, so under load one {@code fsync} covers many exchanges. The caller takes the slot in memory at
 * once (atomically; two concurrent opens of one envelope still give exactly one success) and must
 * not release what depends on it before {@link #durable()} completes; the gateway waits for it
 * together with the audit record. A crash before that fsync loses only facts whose responses were
 * never released.
 *
 * <p><b>Bounded.</b> Envelope ids are kept until their envelope expires (plus clock skew; envelopes
 * live at most 24 h by default) and at most {@code maxReplayEntries} at once: when that many have
 * not expired, new envelopes are refused ({@link ReplayStateUnavailableException}) rather than an
 * old id forgotten. Grant counts are kept until the grant expires, at most {@code maxGrants}. The
 * journal is split into segments; a new one starts every {@code segmentMaxBytes} or {@code
 * segmentMaxAge} (and at every start) with a snapshot of the grant counts, and a segment is deleted
 * once all its envelope ids have expired.
 *
 * <p><b>Crash recovery.</b> On open, a torn last group (after the last commit line of the newest
 * segment: a crash before its fsync completed) is cut off with a warning; any other damage refuses
 * to open ({@link StateException.Reason#CORRUPT}, naming file and offset). The state is never reset
 * silently.
 *
 * <p><b>Fail closed.</b> Once a write or fsync fails, every later use throws, {@link #durable()}
 * futures fail, and {@link #failure()} says why (the gateway reports not ready and answers 503).
 *
 * <p>One process per directory (a file lock). Thread-safe.
 */
public final class StateStore implements SharedState {
  private static final Logger LOG = LoggerFactory.getLogger(StateStore.class);
  static final String LOCK_FILE = "lock";
  /** The file the bundle holder keeps the newest accepted bundle in (see BundleHolder.VersionFloor). */
  public static final String BUNDLE_VERSION_FILE = "bundle-version";
  public static final long DEFAULT_MAX_REPLAY_ENTRIES = 2_000_000;
  public static final long DEFAULT_MAX_GRANTS = 1_000_000;
  private static final int MAX_PENDING_BYTES = 32 << 20;
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final Path dir;
  private final Clock clock;
  private final long maxGrants;
  private final long segmentMaxBytes;
  private final Duration segmentMaxAge;
  private final Duration commitDelay;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final ReplayCache memory;
  private final ConcurrentHashMap<String, GrantCount> grants = new ConcurrentHashMap<>();
  private final ReplayCache replayCache = this::firstSeen;
  private final GrantUseCounter grantUses = new Uses();
  private final RateLimiter rates = RateLimiter.inMemory();
  private final Thread writer;

  // guarded by mon
  private final Object mon = new Object();
  private ByteArrayOutputStream pending = new ByteArrayOutputStream(64 << 10);
  private int pendingEntries;
  private long pendingMaxForget = Long.MIN_VALUE;
  private long appended;
  private long durableSeq;
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private boolean closing;
  private @Nullable StateException failure;
  private volatile boolean failed;

  // writer thread only (and open)
  private FileChannel segment;
  private long segmentIndex;
  private long segmentBytes;
  private long segmentEntries;
  private int lastGroupEntries;
  private long segmentStartNanos;
  private long segmentMaxForget = Long.MIN_VALUE;
  /** Kept-until of the envelope ids in each older segment, by index. */
  private final TreeMap<Long, Long> olderSegments = new TreeMap<>();
  private long lastSweepNanos;

  private static final class GrantCount {
    final AtomicLong used = new AtomicLong();
    volatile long forgetAfterMillis;

    GrantCount(long forgetAfterMillis) {
      this.forgetAfterMillis = forgetAfterMillis;
    }
  }

  private static final class Waiter {
    final long seq;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    Waiter(long seq) {
      this.seq = seq;
    }
  }

  // segment is set by a helper NullAway does not follow; on failure only what was opened is closed
  @SuppressWarnings("NullAway.Init")
  private StateStore(Builder b) throws StateException {
    this.dir = b.dir.toAbsolutePath().normalize();
    this.clock = b.clock;
    this.maxGrants = b.maxGrants;
    this.segmentMaxBytes = b.segmentMaxBytes;
    this.segmentMaxAge = b.segmentMaxAge;
    this.commitDelay = b.commitDelay;
    this.memory = ReplayCache.inMemory(b.maxReplayEntries, clock);
    try {
      Files.createDirectories(dir);
      lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new StateException(StateException.Reason.UNAVAILABLE, "state directory " + dir + " cannot be used: " + e, e);
    }
    FileLock l;
    try {
      l = lockChannel.tryLock();
    } catch (IOException | OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      closeQuietly(lockChannel);
      throw new StateException(StateException.Reason.LOCKED, "state directory " + dir
          + " is in use by another gateway process; each gateway needs its own state.dir");
    }
    this.lock = l;
    try {
      load();
    } catch (StateException | RuntimeException e) {
      release();
      throw e;
    }
    this.writer = new Thread(this::runWriter, "shulian-state-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** Starts opening the state kept in {@code dir} (created if missing). */
  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  /**
   * Reads the state in {@code dir} without changing it or taking its lock, with the checks {@link
   * Builder#open} makes (for validating a configuration).
   *
   * @return a one-line summary
   * @throws StateException CORRUPT or UNAVAILABLE as opening would
   */
  public static String check(Path dir, Clock clock) throws StateException {
    if (!Files.isDirectory(dir)) {
      return "state directory " + dir + " will be created";
    }
    long now = clock.millis();
    long[] live = new long[2];
    Journal.Sink count = new Journal.Sink() {
      @Override
      public void replay(UUID id, long forgetAfterMillis) {
        if (forgetAfterMillis >= now) {
          live[0]++;
        }
      }

      @Override
      public void grant(String key, long c, long forgetAfterMillis) {
        live[1]++;
      }
    };
    List<Long> segs = segments(dir);
    for (int i = 0; i < segs.size(); i++) {
      Path f = dir.resolve(Journal.segmentName(segs.get(i)));
      Journal.scan(f, read(f), i == segs.size() - 1, count);
    }
    return "state directory " + dir + ": " + segs.size() + " journal segments, " + live[0] + " unexpired envelope ids";
  }

  // ---------------------------------------------------------------- API

  /** The envelope ids opened, durable across restarts (see the class comment). */
  @Override
  public ReplayCache replayCache() {
    return replayCache;
  }

  /** The uses of grants, durable across restarts (see the class comment). */
  @Override
  public GrantUseCounter grantUses() {
    return grantUses;
  }

  /** Rate-limit counters of this process, in memory only (a restart starts the windows anew). */
  @Override
  public RateLimiter rateLimiter() {
    return rates;
  }

  @Override
  public Optional<String> unavailable() {
    return failure();
  }

  /**
   * Returns a future that completes once everything recorded before this call is on disk, or fails
   * if it cannot be. Release nothing that depends on a recorded fact before it completes.
   */
  public CompletableFuture<Void> durable() {
    synchronized (mon) {
      if (failure != null) {
        return CompletableFuture.failedFuture(failure);
      }
      if (durableSeq >= appended) {
        return DONE;
      }
      Waiter w = new Waiter(appended);
      waiters.add(w);
      return w.done;
    }
  }

  /** Why the state cannot be written, once that happened. */
  public Optional<String> failure() {
    synchronized (mon) {
      return Optional.ofNullable(failure == null ? null : failure.getMessage());
    }
  }

  public Path dir() {
    return dir;
  }

  /** Writes what is pending, forces it to disk and releases the directory. Later uses throw. */
  @Override
  public void close() {
    synchronized (mon) {
      if (closing) {
        return;
      }
      closing = true;
      mon.notifyAll();
    }
    try {
      writer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (mon) {
      StateException closed = new StateException(StateException.Reason.UNAVAILABLE, "gateway state " + dir + " is closed");
      for (Waiter w : waiters) {
        w.done.completeExceptionally(failure != null ? failure : closed);
      }
      waiters.clear();
    }
    closeQuietly(segment);
    release();
  }

  @Override
  public String toString() {
    return "StateStore[" + dir + "]";
  }

  // ---------------------------------------------------------------- recording

  private boolean firstSeen(UUID id, Instant forgetAfter) throws ReplayStateUnavailableException {
    if (failed) {
      throw new ReplayStateUnavailableException(failureMessage());
    }
    if (!memory.firstSeen(id, forgetAfter)) {
      return false;
    }
    long forget = forgetAfter.toEpochMilli();
    if (!append(Journal.replayLine(id, forget), forget)) {
      throw new ReplayStateUnavailableException(failureMessage());
    }
    return true;
  }

  private final class Uses implements GrantUseCounter {
    @Override
    public boolean tryUse(String grantKey, long maxUses) {
      return tryUse(grantKey, maxUses, Instant.ofEpochMilli(Long.MAX_VALUE));
    }

    @Override
    public boolean tryUse(String grantKey, long maxUses, Instant forgetAfter) {
      if (!Journal.validKey(grantKey)) {
        throw new IllegalArgumentException("a grant key must be 1-300 printable ASCII characters without spaces");
      }
      if (failed) {
        throw new IllegalStateException(failureMessage());
      }
      long forget = forgetAfter.toEpochMilli();
      GrantCount c = grants.get(grantKey);
      if (c == null) {
        if (grants.size() >= maxGrants) {
          sweepGrants(clock.millis());
          if (grants.size() >= maxGrants) {
            throw new IllegalStateException("the state holds " + maxGrants + " grants that have not expired");
          }
        }
        c = grants.computeIfAbsent(grantKey, k -> new GrantCount(forget));
      }
      long n;
      while (true) {
        long cur = c.used.get();
        if (cur >= maxUses) {
          return false;
        }
        if (c.used.compareAndSet(cur, cur + 1)) {
          n = cur + 1;
          break;
        }
      }
      if (forget > c.forgetAfterMillis) {
        c.forgetAfterMillis = forget;
      }
      if (!append(Journal.grantLine(grantKey, n, c.forgetAfterMillis), Long.MIN_VALUE)) {
        throw new IllegalStateException(failureMessage());
      }
      return true;
    }

    @Override
    public long used(String grantKey) {
      GrantCount c = grants.get(grantKey);
      return c == null ? 0 : c.used.get();
    }
  }

  /** Queues a journal line for the next group; false if the store has failed or is closed. */
  private boolean append(byte[] line, long replayForget) {
    synchronized (mon) {
      if (failure != null || closing) {
        return false;
      }
      if (pending.size() > MAX_PENDING_BYTES) {
        fail(new StateException(StateException.Reason.UNAVAILABLE, "the state writer is more than "
            + MAX_PENDING_BYTES + " bytes behind; the disk of " + dir + " is too slow or stuck"));
        return false;
      }
      pending.write(line, 0, line.length);
      pendingEntries++;
      appended++;
      if (replayForget > pendingMaxForget) {
        pendingMaxForget = replayForget;
      }
      if (pendingEntries == 1) {
        mon.notifyAll();
      }
      return true;
    }
  }

  private String failureMessage() {
    synchronized (mon) {
      return failure != null ? failure.getMessage() : "the gateway state " + dir + " is closed";
    }
  }

  /** Records the failure and fails every waiter (caller holds mon). */
  private void fail(StateException e) {
    if (failure == null) {
      failure = e;
      failed = true;
      LOG.error("gateway state {} failed; envelopes and grant uses are refused until it is reopened: {}", dir,
          e.getMessage());
    }
    for (Waiter w : waiters) {
      w.done.completeExceptionally(failure);
    }
    waiters.clear();
  }

  // ---------------------------------------------------------------- writer thread

  private void runWriter() {
    while (true) {
      byte[] batch = null;
      int entries;
      long seq;
      long maxForget;
      boolean last;
      synchronized (mon) {
        if (pendingEntries == 0 && !closing && failure == null) {
          try {
            mon.wait(1000); // wake now and then for rotation by age and deletion of expired segments
          } catch (InterruptedException e) {
            // nobody should interrupt the writer; closing decides when it ends
          }
        }
        // Linger only under concurrent load (this group or the previous one has several entries), as
        // the audit log does: a lone entry is forced at once, so a quiet gateway never waits, and
        // under load far fewer fsyncs compete with the audit log's on the same disk.
        if (!commitDelay.isZero() && !closing && (pendingEntries > 1 || lastGroupEntries > 1)) {
          long deadline = System.nanoTime() + commitDelay.toNanos();
          long left;
          while (!closing && failure == null && (left = deadline - System.nanoTime()) > 0) {
            try {
              mon.wait(Math.max(1, left / 1_000_000), (int) (left % 1_000_000));
            } catch (InterruptedException e) {
              // as above
            }
          }
        }
        if (failure != null) {
          return;
        }
        last = closing;
        entries = pendingEntries;
        if (entries > 0) {
          batch = pending.toByteArray();
          pending.reset();
        }
        pendingEntries = 0;
        lastGroupEntries = entries;
        seq = appended;
        maxForget = pendingMaxForget;
        pendingMaxForget = Long.MIN_VALUE;
      }
      try {
        if (batch != null) {
          byte[] commit = Journal.commitLine(entries);
          ByteBuffer[] bufs = {ByteBuffer.wrap(batch), ByteBuffer.wrap(commit)};
          long n = batch.length + (long) commit.length;
          long written = 0;
          while (written < n) {
            written += segment.write(bufs);
          }
          segment.force(false);
          segmentBytes += n;
          segmentEntries += entries;
          segmentMaxForget = Math.max(segmentMaxForget, maxForget);
          List<Waiter> done = new ArrayList<>();
          synchronized (mon) {
            durableSeq = seq;
            while (!waiters.isEmpty() && waiters.peekFirst().seq <= seq) {
              done.add(waiters.pollFirst());
            }
          }
          for (Waiter w : done) {
            w.done.complete(null);
          }
        }
        if (last) {
          return;
        }
        housekeeping();
      } catch (IOException | RuntimeException e) {
        synchronized (mon) {
          fail(new StateException(StateException.Reason.UNAVAILABLE, "gateway state " + dir + " cannot be written: " + e, e));
        }
        return;
      }
    }
  }

  /** Starts a new segment when this one is big or old enough; deletes segments whose ids all expired. */
  private void housekeeping() throws IOException {
    if (segmentBytes >= segmentMaxBytes
        || (segmentEntries > 0 && System.nanoTime() - segmentStartNanos >= segmentMaxAge.toNanos())) {
      olderSegments.put(segmentIndex, segmentMaxForget);
      segment.close();
      startSegment(segmentIndex + 1);
    }
    if (System.nanoTime() - lastSweepNanos >= Duration.ofMinutes(1).toNanos()) {
      lastSweepNanos = System.nanoTime();
      long now = clock.millis();
      sweepGrants(now);
      deleteExpiredSegments(now);
    }
  }

  private void sweepGrants(long now) {
    for (Map.Entry<String, GrantCount> e : grants.entrySet()) {
      if (e.getValue().forgetAfterMillis < now) {
        grants.remove(e.getKey(), e.getValue());
      }
    }
  }

  /**
   * Deletes older segments all of whose envelope ids have expired; their grant counts are in the
   * snapshot at the start of every later segment.
   */
  private void deleteExpiredSegments(long now) {
    for (var it = olderSegments.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Long, Long> e = it.next();
      if (e.getValue() < now) {
        Path f = dir.resolve(Journal.segmentName(e.getKey()));
        try {
          Files.deleteIfExists(f);
          it.remove();
        } catch (IOException ex) {
          LOG.warn("cannot delete expired state segment {}: {}", f, ex.toString());
        }
      }
    }
  }

  /**
   * Writes a new segment (header and a snapshot of the grant counts, as one committed group) to a
   * temporary file, forces it and renames it into place, so a segment is either complete or absent,
   * and makes it the one appended to.
   */
  private void startSegment(long index) throws IOException {
    long now = clock.millis();
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(Journal.header());
    int n = 0;
    for (Map.Entry<String, GrantCount> e : grants.entrySet()) {
      GrantCount c = e.getValue();
      long used = c.used.get();
      if (used > 0 && c.forgetAfterMillis >= now) {
        b.writeBytes(Journal.grantLine(e.getKey(), used, c.forgetAfterMillis));
        n++;
      }
    }
    b.writeBytes(Journal.commitLine(n));
    Path target = dir.resolve(Journal.segmentName(index));
    Path tmp = dir.resolve(Journal.segmentName(index) + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ByteBuffer bb = ByteBuffer.wrap(b.toByteArray());
      while (bb.hasRemaining()) {
        ch.write(bb);
      }
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory();
    segment = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    segmentIndex = index;
    segmentBytes = b.size();
    segmentEntries = 0;
    segmentStartNanos = System.nanoTime();
    segmentMaxForget = Long.MIN_VALUE;
  }

  private void syncDirectory() {
    // makes a new file's directory entry durable; not every platform can open a directory
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      LOG.debug("cannot fsync directory {}: {}", dir, e.toString());
    }
  }

  // ---------------------------------------------------------------- opening

  /** Reads every segment, cuts off a torn last group, starts a new segment and deletes expired ones. */
  private void load() throws StateException {
    long now = clock.millis();
    List<Long> segs = segments(dir);
    Journal.Sink sink = new Journal.Sink() {
      @Override
      public void replay(UUID id, long forgetAfterMillis) throws StateException {
        if (forgetAfterMillis < now) {
          return;
        }
        try {
          memory.firstSeen(id, Instant.ofEpochMilli(forgetAfterMillis));
        } catch (ReplayStateUnavailableException e) {
          throw new StateException(StateException.Reason.FULL, "state directory " + dir
              + " holds more unexpired envelope ids than state.maxReplayEntries allows; raise it", e);
        }
      }

      @Override
      public void grant(String key, long count, long forgetAfterMillis) throws StateException {
        if (forgetAfterMillis < now) {
          return;
        }
        GrantCount c = grants.computeIfAbsent(key, k -> new GrantCount(forgetAfterMillis));
        c.used.accumulateAndGet(count, Math::max);
        c.forgetAfterMillis = Math.max(c.forgetAfterMillis, forgetAfterMillis);
        if (grants.size() > maxGrants) {
          throw new StateException(StateException.Reason.FULL, "state directory " + dir
              + " holds more unexpired grants than allowed (" + maxGrants + ")");
        }
      }
    };
    long replays = 0;
    for (int i = 0; i < segs.size(); i++) {
      long index = segs.get(i);
      Path f = dir.resolve(Journal.segmentName(index));
      boolean last = i == segs.size() - 1;
      Journal.Scanned s = Journal.scan(f, read(f), last, sink);
      replays += s.replays;
      if (last && s.tornBytes > 0) {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
          ch.truncate(s.committedEnd);
          ch.force(true);
        } catch (IOException e) {
          throw new StateException(StateException.Reason.UNAVAILABLE, "cannot cut the torn tail off " + f + ": " + e, e);
        }
        LOG.warn("state journal {}: cut off {} bytes after its last commit (a write that a crash interrupted before it"
            + " was forced to disk; nothing that depended on it was released)", f, s.tornBytes);
      }
      olderSegments.put(index, s.maxReplayForget);
    }
    try {
      startSegment(segs.isEmpty() ? 1 : segs.get(segs.size() - 1) + 1);
    } catch (IOException e) {
      throw new StateException(StateException.Reason.UNAVAILABLE, "state directory " + dir + " cannot be written: " + e, e);
    }
    lastSweepNanos = System.nanoTime();
    deleteExpiredSegments(now);
    LOG.info("gateway state {}: {} envelope ids and {} grant counts read from {} segments", dir, replays, grants.size(),
        segs.size());
  }

  private static List<Long> segments(Path dir) throws StateException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> Journal.segmentIndex(p.getFileName().toString())).filter(i -> i >= 0).sorted().toList();
    } catch (IOException e) {
      throw new StateException(StateException.Reason.UNAVAILABLE, "state directory " + dir + " cannot be read: " + e, e);
    }
  }

  private static byte[] read(Path f) throws StateException {
    try {
      return Files.readAllBytes(f);
    } catch (IOException | OutOfMemoryError e) {
      throw new StateException(StateException.Reason.UNAVAILABLE, "cannot read state journal " + f + ": " + e, e);
    }
  }

  private void release() {
    try {
      lock.release();
    } catch (IOException e) {
      // closing the channel releases it too
    }
    closeQuietly(lockChannel);
  }

  private static void closeQuietly(@Nullable FileChannel c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        // nothing more to do
      }
    }
  }

  /** Configures and opens a {@link StateStore}. */
  public static final class Builder {
    private final Path dir;
    private Clock clock = Clock.systemUTC();
    private long maxReplayEntries = DEFAULT_MAX_REPLAY_ENTRIES;
    private long maxGrants = DEFAULT_MAX_GRANTS;
    private long segmentMaxBytes = 64L << 20;
    private Duration segmentMaxAge = Duration.ofMinutes(10);
    private Duration commitDelay = Duration.ZERO;

    private Builder(Path dir) {
      this.dir = Objects.requireNonNull(dir, "dir");
    }

    /** The clock envelope and grant expiry is measured with (the gateway's). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** Most unexpired envelope ids kept (default 2,000,000); beyond it new envelopes are refused. */
    public Builder maxReplayEntries(long n) {
      if (n < 1 || n > 100_000_000) {
        throw new IllegalArgumentException("maxReplayEntries must be 1 to 100,000,000, got " + n);
      }
      this.maxReplayEntries = n;
      return this;
    }

    /** Most unexpired grants counted (default 1,000,000); beyond it uses of new grants are denied. */
    public Builder maxGrants(long n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxGrants must be positive, got " + n);
      }
      this.maxGrants = n;
      return this;
    }

    /** A new journal segment starts after this many bytes (default 64 MiB) or this age (default 10 min). */
    public Builder segmentLimits(long maxBytes, Duration maxAge) {
      if (maxBytes < 1 || maxAge.isNegative() || maxAge.isZero()) {
        throw new IllegalArgumentException("segment limits must be positive");
      }
      this.segmentMaxBytes = maxBytes;
      this.segmentMaxAge = maxAge;
      return this;
    }

    /**
     * How long the writer lingers for more entries before forcing a group, under concurrent load
     * only (a lone entry is forced at once); default 0, at most 1 s. The gateway uses
     * {@code audit.commitDelay}: a response waits for both, so they may as well gather alike.
     */
    public Builder commitDelay(Duration d) {
      if (d.isNegative() || d.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new IllegalArgumentException("commitDelay must be in [0, 1s], got " + d);
      }
      this.commitDelay = d;
      return this;
    }

    /**
     * Opens the state: takes the directory's lock, reads the journal (cutting off a torn last
     * group), and starts a new segment.
     *
     * @throws StateException LOCKED, CORRUPT, FULL or UNAVAILABLE, with a message for the operator
     */
    public StateStore open() throws StateException {
      return new StateStore(this);
    }
  }
}
