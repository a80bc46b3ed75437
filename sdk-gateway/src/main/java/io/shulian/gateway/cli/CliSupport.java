package io.shulian.gateway.cli;

import io.shulian.core.catalog.Catalog;
import io.shulian.core.io.BoundedRead;
import io.shulian.core.keys.KeyMaterialException;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** Helpers shared by the commands: passwords, files and standard streams. */
final class CliSupport {
  static final String PASSWORD_ENV = "SHULIAN_KEY_PASSWORD";
  static final String DEV_PASSWORD = "changeit";

  private CliSupport() {}

  /**
   * Returns the key password: {@code --password}, else {@code $SHULIAN_KEY_PASSWORD}, else the
   * development default with a warning.
   */
  static char[] password(String option, PrintWriter err) {
    if (option != null) {
      return option.toCharArray();
    }
    String env = System.getenv(PASSWORD_ENV);
    if (env != null && !env.isEmpty()) {
      return env.toCharArray();
    }
    err.println("warning: no --password and no " + PASSWORD_ENV + "; using the development password '"
        + DEV_PASSWORD + "'. Do not use it in production.");
    err.flush();
    return DEV_PASSWORD.toCharArray();
  }

  /** Limit of a PEM file (certificates, CRLs, requests): far above any real chain or CRL. */
  static final long MAX_PEM_BYTES = 1 << 20;
  /** Limit of a catalog or policy document: the YAML parser's own limit. */
  static final long MAX_DOCUMENT_BYTES = Catalog.MAX_DOCUMENT_BYTES;
  /** Limit of a file holding a secret such as the masking hash key. */
  static final long MAX_SECRET_FILE_BYTES = 4096;

  /**
   * Reads every certificate from a PEM file, or from every {@code *.pem} file in a directory; each
   * file through {@link #readPem}.
   */
  static List<PartyCertificate> readCertificates(Path fileOrDir) throws KeyMaterialException, IOException {
    List<PartyCertificate> out = new ArrayList<>();
    if (Files.isDirectory(fileOrDir)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(fileOrDir, "*.pem")) {
        for (Path p : ds) {
          out.addAll(certificatesOf(p));
        }
      }
      if (out.isEmpty()) {
        throw new KeyMaterialException("no *.pem certificate in directory " + fileOrDir);
      }
      return out;
    }
    return certificatesOf(fileOrDir);
  }

  private static List<PartyCertificate> certificatesOf(Path file) throws KeyMaterialException, IOException {
    String pem = readPem(file);
    try {
      return PartyCertificate.fromPem(pem);
    } catch (KeyMaterialException e) {
      throw new KeyMaterialException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads a file that must be PEM text, at most {@link #MAX_PEM_BYTES}.
   *
   * @throws BoundedRead.NotPemException for binary data or text without a PEM block
   * @throws BoundedRead.TooLargeException for a larger or endless file
   */
  static String readPem(Path file) throws IOException {
    return BoundedRead.pemFile(file, MAX_PEM_BYTES);
  }

  /**
   * Reads a whole file, at most {@code limit} bytes, whatever size the file system reports (a FIFO
   * or {@code /dev/zero} reports 0). Every command reads whole files through here or {@link
   * #readInput}.
   *
   * @throws BoundedRead.TooLargeException over the limit
   */
  static byte[] readFile(Path file, long limit) throws IOException {
    return BoundedRead.file(file, limit);
  }

  /** Reads a whole file, or standard input for "-", refusing more than {@code limit} bytes. */
  static byte[] readInput(String in, long limit) throws IOException {
    if ("-".equals(in)) {
      return readLimited(System.in, limit, "standard input");
    }
    return readFile(Path.of(in), limit);
  }

  /** Reads a stream to its end, refusing more than {@code limit} bytes. */
  static byte[] readLimited(InputStream s, long limit, String name) throws IOException {
    return BoundedRead.stream(s, limit, name);
  }

  /** Writes a whole file atomically (temporary file and rename), or standard output for "-". */
  static void writeOutput(String out, byte[] data) throws IOException {
    if ("-".equals(out)) {
      System.out.write(data);
      System.out.flush();
      return;
    }
    PartyIdentity.writeAtomically(Path.of(out), data);
  }

  /** Opens a file, or standard input for "-", for streaming (buffered, supports mark/reset). */
  static InputStream openInput(String in) throws IOException {
    return new BufferedInputStream("-".equals(in) ? System.in : Files.newInputStream(Path.of(in)), 64 * 1024);
  }

  /** Writes to an output stream; may fail, in which case nothing it wrote may be kept. */
  interface StreamWriter<T> {
    T write(OutputStream out) throws Exception;
  }

  /**
   * Streams output to a temporary file that becomes {@code out} (atomic rename) only if
   * {@code writer} succeeds; for "-" the temporary file is copied to standard output after success.
   * On failure the temporary file is deleted, so nothing unverified is left behind or printed.
   */
  static <T> T streamOutput(String out, StreamWriter<T> writer) throws Exception {
    boolean stdout = "-".equals(out);
    Path target = stdout ? null : Path.of(out).toAbsolutePath();
    Path tmp;
    if (target == null) {
      tmp = Files.createTempFile("shulian-", ".tmp");
    } else {
      Files.createDirectories(target.getParent());
      tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    }
    try {
      T result;
      try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(tmp), 64 * 1024)) {
        result = writer.write(o);
      }
      if (target == null) {
        Files.copy(tmp, System.out);
        System.out.flush();
      } else {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
      return result;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

}
