package io.shulian.gateway.seal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/**
 * Fuzz targets for {@link HttpPayload#parse}, the {@code message/http} payload a gateway opens from
 * an envelope (a request at the provider, a response at the consumer): whatever bytes arrive, it
 * returns a message or throws an {@link IllegalArgumentException}; any other exception, a hang or
 * an out-of-memory fails. A message it accepts must survive a round trip: its encoding parses to a
 * message that encodes to the same bytes, with the same start line, headers and body. A normal
 * build replays the seeds in {@code HttpPayloadFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes one
 * target (docs/fuzzing.md).
 */
class HttpPayloadFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void parse_arbitraryRequest_throwsOnlyIllegalArgumentAndReencodesEqual(byte[] data) {
    parseAndReencode(data, true);
  }

  @FuzzTest(maxDuration = "30s")
  void parse_arbitraryResponse_throwsOnlyIllegalArgumentAndReencodesEqual(byte[] data) {
    parseAndReencode(data, false);
  }

  /** The seeds still reach the round trip: the well-formed ones parse. */
  @Test
  void seeds_wellFormedMessages_parse() throws IOException {
    HttpPayload get = HttpPayload.parse(seed("parse_arbitraryRequest_throwsOnlyIllegalArgumentAndReencodesEqual/get"), true);
    assertThat(get.header(HttpPayload.ACTION_HEADER)).isEqualTo("query");
    HttpPayload post = HttpPayload.parse(seed("parse_arbitraryRequest_throwsOnlyIllegalArgumentAndReencodesEqual/post-body"), true);
    assertThat(post.header("authorization")).isNull();
    assertThat(post.body()).isNotEmpty();
    HttpPayload ok = HttpPayload.parse(seed("parse_arbitraryResponse_throwsOnlyIllegalArgumentAndReencodesEqual/ok"), false);
    assertThat(ok.status()).isEqualTo(200);
    parseAndReencode(seed("parse_arbitraryResponse_throwsOnlyIllegalArgumentAndReencodesEqual/empty-reason"), false);
  }

  private static byte[] seed(String name) throws IOException {
    try (InputStream in = HttpPayloadFuzzTest.class.getResourceAsStream("HttpPayloadFuzzTestInputs/" + name)) {
      if (in == null) {
        throw new IllegalStateException("seed " + name + " is missing");
      }
      return in.readAllBytes();
    }
  }

  private static void parseAndReencode(byte[] data, boolean request) {
    HttpPayload m;
    try {
      m = HttpPayload.parse(data, request);
    } catch (IllegalArgumentException expected) {
      return;
    }
    byte[] encoded = m.encode();
    HttpPayload again = HttpPayload.parse(encoded, request);
    assertThat(again.encode()).isEqualTo(encoded);
    assertThat(again.headers()).isEqualTo(m.headers());
    assertThat(again.body()).isEqualTo(m.body());
    if (request) {
      assertThat(again.method()).isEqualTo(m.method());
      assertThat(again.target()).isEqualTo(m.target()).startsWith("/");
    } else {
      assertThat(again.status()).isEqualTo(m.status()).isBetween(100, 599);
    }
  }
}
