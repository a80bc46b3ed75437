package io.shulian.benchmarks;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import io.shulian.core.policy.mask.MaskFunction;
import io.shulian.core.policy.mask.MaskSpec;
import io.shulian.core.policy.mask.Masker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Masking throughput over a JSON array of records with three masked fields (name, ID number,
 * phone), against a plain Jackson streaming copy of the same bytes in the same run (the baseline
 * a user would write). One op is the whole array (about 2.3 MB); MB/s = ops/s x the printed size.
 * Target: masked at least 60% of copy.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MaskingBenchmark {
  @Param({"masked", "projected", "copy"})
  String mode;

  @Param({"10000"})
  int records;

  byte[] input;
  Masker masker;
  /** The same masks with every other member listed and unlisted ones dropped (the default for important data). */
  Masker projected;
  JsonFactory factory;
  NullOutput sink = new NullOutput();

  /** Discards output but counts it, so nothing is optimised away. */
  static final class NullOutput extends OutputStream {
    long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      count += len;
    }
  }

  @Setup
  public void setUp() {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < records; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append("{\"id\":").append(i)
          .append(",\"name\":\"张三丰\",\"idNumber\":\"44060419900101").append(1000 + i % 9000)
          .append("\",\"phone\":\"138").append(10000000 + i).append("\",\"status\":\"active\",\"balance\":")
          .append(1000 + i % 777).append(".25,\"address\":{\"city\":\"佛山市\",\"district\":\"禅城区\"},")
          .append("\"tags\":[\"a\",\"b\"],\"note\":\"").append("note text ".repeat(6)).append("\"}");
    }
    input = sb.append(']').toString().getBytes(StandardCharsets.UTF_8);
    masker = Masker.builder()
        .field("name", MaskSpec.of(MaskFunction.NAME))
        .field("idNumber", MaskSpec.of(MaskFunction.ID_NUMBER))
        .field("phone", MaskSpec.of(MaskFunction.PHONE))
        .build();
    projected = Masker.builder()
        .field("name", MaskSpec.of(MaskFunction.NAME))
        .field("idNumber", MaskSpec.of(MaskFunction.ID_NUMBER))
        .field("phone", MaskSpec.of(MaskFunction.PHONE))
        .listFields(java.util.List.of("id", "status", "balance", "address.city", "address.district", "tags[]", "note"))
        .dropUnlisted(true)
        .build();
    factory = new JsonFactory();
    System.out.println("\n[setup] " + records + " records, " + input.length + " bytes per op");
  }

  @Benchmark
  public long run() throws Exception {
    if (mode.equals("masked")) {
      masker.mask(new ByteArrayInputStream(input), sink);
    } else if (mode.equals("projected")) {
      projected.mask(new ByteArrayInputStream(input), sink);
    } else {
      try (JsonParser p = factory.createParser(new ByteArrayInputStream(input));
          JsonGenerator g = factory.createGenerator(sink, JsonEncoding.UTF8)) {
        p.nextToken();
        g.copyCurrentStructure(p);
      }
    }
    return sink.count;
  }
}
