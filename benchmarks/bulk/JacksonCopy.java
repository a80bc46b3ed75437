import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The masking baseline: a plain Jackson streaming copy of a JSON Lines file (parser to generator,
 * token by token, one record a line), to nothing, one thread. Run with the shaded shulian.jar on the
 * class path: {@code java -cp shulian.jar JacksonCopy.java FILE}; the second of two passes is
 * measured. Prints {@code bytes=… mbps=…}.
 */
public final class JacksonCopy {
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    JsonFactory f = new JsonFactory();
    long[] written = {0};
    OutputStream sink = new OutputStream() {
      @Override
      public void write(int b) {
        written[0]++;
      }

      @Override
      public void write(byte[] b, int off, int len) {
        written[0] += len;
      }
    };
    copy(f, file, sink); // warm-up pass (JIT), as the gateways are warmed up before they are measured
    written[0] = 0;
    long t0 = System.nanoTime();
    copy(f, file, sink);
    double s = (System.nanoTime() - t0) / 1e9;
    long bytes = Files.size(file);
    System.out.printf(Locale.ROOT, "bytes=%d written=%d seconds=%.3f mbps=%.1f%n", bytes, written[0], s, bytes / 1e6 / s);
  }

  private static void copy(JsonFactory f, Path file, OutputStream sink) throws java.io.IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        JsonParser p = f.createParser(in);
        JsonGenerator g = f.createGenerator(sink)) {
      g.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
      while (p.nextToken() != null) {
        g.copyCurrentStructure(p);
      }
      g.writeRaw('\n');
    }
  }
}
