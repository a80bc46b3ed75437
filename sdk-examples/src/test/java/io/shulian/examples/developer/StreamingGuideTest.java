package io.shulian.examples.developer;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.party.PartyId;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/developer-guide.md, "Streaming data sets": its code is {@link StreamDataSet}, which runs. */
class StreamingGuideTest {
  static final Path SOURCE = DeveloperGuideTest.ROOT.resolve(
      "sdk-examples/src/main/java/io/shulian/examples/developer/StreamDataSet.java");

  @TempDir Path tmp;

  @Test
  void guide_quotesTheCompiledStreamingSampleExactly() throws Exception {
    String guide = Files.readString(DeveloperGuideTest.GUIDE);
    String source = Files.readString(SOURCE);
    for (String name : List.of("push-seal", "push-open")) {
      assertThat(DeveloperGuideTest.block(guide, "snippet:" + name)).as(name)
          .isEqualTo(DeveloperGuideTest.region(source, name));
    }
  }

  @Test
  void sample_streamsADataSet_andRefusesATruncatedOne() throws Exception {
    Path civil = tmp.resolve("civil");
    Path housing = tmp.resolve("housing");
    DeveloperGuideTest.write(civil, PartyId.parse("440600/11440600MB2C5678CX"), DeveloperGuideTest.PW);
    DeveloperGuideTest.write(housing, PartyId.parse("440600/11440600MB2C1234HN/housing"), DeveloperGuideTest.PW);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      b.append("{\"household\":").append(i).append("}\n");
    }
    Path records = tmp.resolve("households.jsonl");
    Files.writeString(records, b, StandardCharsets.UTF_8);
    Path env = tmp.resolve("households.shf");

    StreamDataSet.seal(housing, civil, DeveloperGuideTest.PW, records, env);
    byte[] sealed = Files.readAllBytes(env);
    Path out = tmp.resolve("received.jsonl");
    assertThat(StreamDataSet.open(civil, housing, DeveloperGuideTest.PW, new ByteArrayInputStream(sealed), out)).isTrue();
    assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(records));

    Path cut = tmp.resolve("cut.jsonl");
    byte[] truncated = java.util.Arrays.copyOf(sealed, sealed.length - 70_000);
    assertThat(StreamDataSet.open(civil, housing, DeveloperGuideTest.PW, new ByteArrayInputStream(truncated), cut)).isFalse();
    assertThat(cut).doesNotExist();
    assertThat(tmp.resolve("cut.jsonl.part")).doesNotExist();
  }
}
