package io.shulian.gateway.cli;

import io.shulian.core.keys.KeyMaterialException;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
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

  static PartyIdentity loadIdentity(Path p12, String passwordOption, PrintWriter err) throws KeyMaterialException {
    return PartyIdentity.load(p12, password(passwordOption, err));
  }

  /** Reads every certificate from a PEM file, or from every {@code *.pem} file in a directory. */
  static List<PartyCertificate> readCertificates(Path fileOrDir) throws KeyMaterialException {
    List<PartyCertificate> out = new ArrayList<>();
    if (Files.isDirectory(fileOrDir)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(fileOrDir, "*.pem")) {
        for (Path p : ds) {
          out.addAll(PartyCertificate.readPem(p));
        }
      } catch (IOException e) {
        throw new KeyMaterialException("cannot list " + fileOrDir + ": " + e.getMessage(), e);
      }
      if (out.isEmpty()) {
        throw new KeyMaterialException("no *.pem certificate in directory " + fileOrDir);
      }
      return out;
    }
    return PartyCertificate.readPem(fileOrDir);
  }

  /** Reads a whole file, or standard input for "-", refusing more than {@code limit} bytes. */
  static byte[] readInput(String in, long limit) throws IOException {
    if ("-".equals(in)) {
      return readLimited(System.in, limit, "standard input");
    }
    Path p = Path.of(in);
    long size = Files.size(p);
    if (size > limit) {
      throw new InputTooLargeException(in + " has " + size + " bytes, over the limit of " + limit);
    }
    return Files.readAllBytes(p);
  }

  static byte[] readLimited(InputStream s, long limit, String name) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    int n;
    while ((n = s.read(buf)) > 0) {
      total += n;
      if (total > limit) {
        throw new InputTooLargeException(name + " is over the limit of " + limit + " bytes");
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
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
    if (stdout) {
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
      if (stdout) {
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

  /** An input over its size limit: the command reports it as a rejection. */
  static final class InputTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    InputTooLargeException(String message) {
      super(message);
    }
  }
}
