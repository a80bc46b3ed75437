package io.shulian.gateway.cli;

import io.shulian.core.envelope.ReplayCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The replay journal of {@code shulian open}: the ids of the envelopes opened with one key, kept in
 * a state directory (default {@code .shulian-replay} next to the key file) until each envelope
 * has expired (plus the allowed clock skew), so that an envelope opens once even across separate
 * runs of the command.
 *
 * <p>It is the opener's {@link ReplayCache}: the opener asks it only for a verified, addressed,
 * timely envelope, and before any payload is released. Check and record are one step under an
 * exclusive lock (a lock within this JVM, then an OS file lock on {@code journal.lock}), so of
 * concurrent runs opening one envelope exactly one succeeds. Each change writes the whole journal,
 * without the expired entries, to a temporary file, forces it to disk and renames it over the old
 * one: a crash leaves either the old or the new journal, never a torn one. An id is recorded
 * before the payload is written, so a crash in between leaves the envelope recorded and unread
 * (at most once; {@code --allow-replay} reads it again). A journal that cannot be read, parsed or
 * written fails the open (fail closed); the message names the file.
 */
final class ReplayJournal implements ReplayCache {
  static final String DEFAULT_DIR = ".shulian-replay";
  static final String JOURNAL = "journal";
  static final String LOCK = "journal.lock";
  static final String HEADER = "# shulian replay journal v1: <envelope id> <forget after, epoch seconds>";
  /** Largest journal read, checked before parsing (about 20 million bytes is 300,000 entries). */
  static final long MAX_JOURNAL_BYTES = 64L << 20;

  private static final Object JVM_LOCK = new Object();

  private final Path dir;
  private final Clock clock;

  ReplayJournal(Path dir, Clock clock) {
    this.dir = dir;
    this.clock = clock;
  }

  /** The journal file. */
  Path file() {
    return dir.resolve(JOURNAL);
  }

  /** Thrown (unchecked, through the opener) when the journal cannot be used; the open fails. */
  static final class JournalException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    JournalException(String message, IOException cause) {
      super(message, cause);
    }
  }

  @Override
  public boolean firstSeen(UUID envelopeId, Instant forgetAfter) {
    synchronized (JVM_LOCK) {
      try {
        if (!Files.isDirectory(dir)) {
          // a directory we make holds only the journal: private to its owner
          Files.createDirectories(dir);
          restrict(dir, "rwx------");
        }
        try (FileChannel lockFile = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = lockFile.lock()) {
          Map<UUID, Instant> entries = read();
          Instant now = clock.instant();
          entries.values().removeIf(t -> !t.isAfter(now));
          if (entries.containsKey(envelopeId)) {
            return false;
          }
          entries.put(envelopeId, forgetAfter);
          write(entries);
          return true;
        }
      } catch (JournalException e) {
        throw e;
      } catch (IOException e) {
        throw new JournalException("replay journal " + file() + ": " + e.getMessage(), e);
      }
    }
  }

  /** Reads the journal (empty if there is none yet); a malformed one is refused, not repaired. */
  Map<UUID, Instant> read() throws IOException {
    Map<UUID, Instant> out = new LinkedHashMap<>();
    Path f = file();
    if (!Files.exists(f)) {
      return out;
    }
    if (Files.size(f) > MAX_JOURNAL_BYTES) {
      throw corrupt("it is larger than " + MAX_JOURNAL_BYTES + " bytes", null);
    }
    List<String> lines = Files.readAllLines(f, StandardCharsets.US_ASCII);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (i == 0 && line.equals(HEADER)) {
        continue;
      }
      String[] parts = line.split(" ", -1);
      try {
        if (parts.length != 2 || parts[0].length() != 36) {
          throw new IllegalArgumentException("expected '<uuid> <seconds>'");
        }
        out.put(UUID.fromString(parts[0]), Instant.ofEpochSecond(Long.parseLong(parts[1])));
      } catch (IllegalArgumentException | java.time.DateTimeException e) {
        throw corrupt("line " + (i + 1) + " is malformed", e);
      }
    }
    return out;
  }

  private JournalException corrupt(String what, @Nullable Exception cause) {
    return new JournalException("replay journal " + file() + " is unusable: " + what
        + ". Nothing was opened. Move the file away to start a new journal (envelopes opened before"
        + " could then be opened again until they expire).", new IOException(what, cause));
  }

  private void write(Map<UUID, Instant> entries) throws IOException {
    List<String> lines = new ArrayList<>(entries.size() + 1);
    lines.add(HEADER);
    for (Map.Entry<UUID, Instant> e : entries.entrySet()) {
      lines.add(e.getKey() + " " + e.getValue().getEpochSecond());
    }
    Path tmp = Files.createTempFile(dir, "." + JOURNAL, ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap((String.join("\n", lines) + "\n").getBytes(StandardCharsets.US_ASCII)));
        ch.force(true);
      }
      try {
        Files.move(tmp, file(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the file system cannot rename atomically", e);
      }
      forceDirectory();
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Makes the rename durable where the platform allows fsync of a directory (Linux does). */
  private void forceDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // not supported on this platform: the rename is still atomic
    }
  }

  private static void restrict(Path p, String perms) {
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    } catch (IOException | UnsupportedOperationException e) {
      // not a POSIX file system, or not ours: leave the permissions as they are
    }
  }

  @Override
  public String toString() {
    return "ReplayJournal[" + file() + "]";
  }
}
