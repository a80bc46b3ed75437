package io.shulian.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvelopeConfigTest {
  @TempDir Path dir;

  private ConfigException load(String envelope) throws Exception {
    return ConfigProblems.load(dir, "audit: { dir: audit }", "envelope: " + envelope);
  }

  @Test
  void load_ephemeralKeyReuseOverOneHour_isAProblem() throws Exception {
    assertThat(load("{ ephemeralKeyReuse: 2h }").problems())
        .anySatisfy(p -> assertThat(p).contains(": envelope.ephemeralKeyReuse: at most 1h"));
  }

  @Test
  void load_ephemeralKeyReuseNotADuration_isAProblem() throws Exception {
    assertThat(load("{ ephemeralKeyReuse: soon }").problems()).anySatisfy(p -> assertThat(p).contains(": envelope.ephemeralKeyReuse: \"soon\" is not a duration"));
  }

  @Test
  void load_zeroMaxEnvelopes_isAProblem() throws Exception {
    assertThat(load("{ ephemeralKeyReuseMaxEnvelopes: 0 }").problems())
        .anySatisfy(p -> assertThat(p).contains(": envelope.ephemeralKeyReuseMaxEnvelopes"));
  }

  @Test
  void load_reuseOff_isNoEnvelopeProblem() throws Exception {
    ConfigException e = load("{ ephemeralKeyReuse: 0s }");
    // the keystore is missing, so loading fails, but not because of the envelope section
    assertThat(e).isNotNull();
    assertThat(e.problems()).noneSatisfy(p -> assertThat(p).contains(": envelope."));
  }
}
