package io.shulian.core.trust;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link BundleHolder.VersionFloor} in one small text file:
 *
 * <pre>
 * shulian-bundle-floor 1
 * version 7
 * sha256 3b0c...(64 hex digits)
 * </pre>
 *
 * Replaced atomically (temporary file in the same directory, fsync, rename, fsync of the
 * directory), so a crash leaves the old or the new content, never a mix.
 */
final class FileVersionFloor implements BundleHolder.VersionFloor {
  private static final Pattern FORMAT =
      Pattern.compile("shulian-bundle-floor 1\nversion ([1-9][0-9]{0,18})\nsha256 ([0-9a-f]{64})\n");
  private static final int MAX_BYTES = 256;

  private final Path file;
  private final boolean readOnly;

  FileVersionFloor(Path file, boolean readOnly) {
    this.file = file.toAbsolutePath().normalize();
    this.readOnly = readOnly;
  }

  @Override
  public Optional<BundleHolder.Accepted> read() throws IOException {
    byte[] b;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw damaged("larger than " + MAX_BYTES + " bytes");
      }
      b = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    Matcher m = FORMAT.matcher(new String(b, StandardCharsets.US_ASCII));
    if (!m.matches()) {
      throw damaged("not in the format 'shulian-bundle-floor 1', 'version <n>', 'sha256 <hex>'");
    }
    long version;
    try {
      version = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw damaged("the version is out of range");
    }
    return Optional.of(new BundleHolder.Accepted(version, m.group(2)));
  }

  private IOException damaged(String why) {
    return new IOException("the bundle version file " + file + " is damaged (" + why + "); restore it from a backup"
        + " of the state directory rather than delete it: without it an older bundle would be accepted again");
  }

  @Override
  public void write(BundleHolder.Accepted a) throws IOException {
    if (readOnly) {
      return;
    }
    byte[] data = ("shulian-bundle-floor 1\nversion " + a.version() + "\nsha256 " + a.payloadSha256() + "\n")
        .getBytes(StandardCharsets.US_ASCII);
    Path dir = file.getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer bb = ByteBuffer.wrap(data);
        while (bb.hasRemaining()) {
          ch.write(bb);
        }
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    // makes the rename durable; not every platform can open a directory
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // the rename is still atomic; only its durability across a power loss depends on the platform
    }
  }

  @Override
  public String toString() {
    return file.toString();
  }
}
