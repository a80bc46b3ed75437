package io.shulian.gateway.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock that one run of a command holds on a local file for as long as it works on it,
 * so a second run of the same command on the same files is refused instead of interleaving with
 * it ({@code shulian fetch} locks its partial file, {@code shulian push} its state's lock file).
 * Held until {@link #close()} or the process ends (also when it crashes).
 */
final class RunLock implements AutoCloseable {
  private final FileChannel channel;

  private RunLock(FileChannel channel) {
    this.channel = channel;
  }

  /**
   * Locks {@code lockFile}, creating it empty if it is missing; it is never written, truncated or
   * deleted (two runs must always lock the same file), never opened through a symbolic link and
   * never anything but a regular file (a FIFO is opened read-write, which does not block, and then
   * refused).
   *
   * @param holder what the other run is, for the message ("shulian push")
   * @throws IllegalArgumentException (message for the user) if another run holds it or it is not a regular file
   */
  static RunLock acquire(Path lockFile, String holder) throws IOException {
    if (Files.exists(lockFile, LinkOption.NOFOLLOW_LINKS)) {
      FetchCommand.regularFile(lockFile);
    }
    FileChannel ch;
    try {
      ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS);
    } catch (FileSystemException e) {
      // a link that appeared since (O_NOFOLLOW: ELOOP), or a directory
      FetchCommand.regularFile(lockFile);
      throw e;
    }
    try {
      FetchCommand.regularFile(lockFile);
      if (!exclusive(ch)) {
        throw new IllegalArgumentException("another " + holder + " is running on the same files (it holds " + lockFile
            + "); wait for it to finish");
      }
      return new RunLock(ch);
    } catch (IllegalArgumentException | IOException e) {
      ch.close();
      throw e;
    }
  }

  /** Takes an exclusive lock on {@code ch} without waiting; false if another run (or this process) holds one. */
  static boolean exclusive(FileChannel ch) throws IOException {
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null; // held in this process
    }
    return l != null;
  }

  @Override
  public void close() throws IOException {
    channel.close(); // and with it the lock
  }
}
