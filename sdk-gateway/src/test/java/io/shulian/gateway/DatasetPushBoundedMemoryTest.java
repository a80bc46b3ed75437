package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pushed data set four times the old aggregated limit (16 MiB) goes from the app through the
 * sending and the receiving gateway to the receiving backend in a JVM whose heap is capped at
 * 64 MiB, which holds the four gateways, the backends and the app: the push is never held whole.
 */
class DatasetPushBoundedMemoryTest {
  @Test
  void push64MiB_throughBothGatewaysWithHeapCappedAt64MiB_deliveredAndIdentical(@TempDir Path dir) throws Exception {
    long lines = (64L << 20) / DatasetPushStreamingTest.Generated.LINE.length + 1;
    Path out = dir.resolve("stdout.txt");
    Path err = dir.resolve("stderr.txt");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m", "-XX:MaxDirectMemorySize=64m", "-XX:+ExitOnOutOfMemoryError", "-Dio.netty.leakDetectionLevel=disabled"));
    if (Runtime.version().feature() >= 22) {
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), DatasetPushHeapCapMain.class.getName(),
        Long.toString(lines)));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.redirectOutput(out.toFile());
    pb.redirectError(err.toFile());
    Process p = pb.start();
    boolean ended = p.waitFor(15, TimeUnit.MINUTES);
    if (!ended) {
      p.destroyForcibly();
    }
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    String tail = stderr.length() > 4000 ? stderr.substring(stderr.length() - 4000) : stderr;
    assertThat(ended).as("child ended; stderr tail:\n" + tail).isTrue();
    assertThat(p.exitValue()).as(stdout + "\n" + tail).isZero();
    assertThat(stdout).contains("delivered=true identical=true");
    long bytes = Long.parseLong(stdout.replaceAll("(?s).*bytes=(\\d+).*", "$1"));
    assertThat(bytes).isGreaterThan(64L << 20);
  }
}
