package io.shulian.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.shulian.gateway.ops.OtlpTracing;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tracing.otlp}: every bad value is a located problem, and a header value never appears in one. */
class TracingConfigTest {
  static final String SECRET = "s3cret-token-value";

  @TempDir Path dir;

  List<String> problems(String tracing, Map<String, String> env) throws Exception {
    Path f = dir.resolve("gw.yaml");
    Files.writeString(f, "identity: { keystore: missing.p12 }\nconsumer: { listen: 127.0.0.1:0 }\naudit: { dir: audit }\n"
        + tracing + "\n");
    return catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(f, env::get)).problems();
  }

  @Test
  void endpoint_notHttp_isAProblem() throws Exception {
    assertThat(problems("tracing: { otlp: { endpoint: \"grpc://collector:4317\" } }", Map.of()))
        .anySatisfy(p -> assertThat(p).contains("tracing.otlp.endpoint: an http:// or https:// URL"));
  }

  @Test
  void endpoint_withUserInfoOrQuery_isAProblem_andTheSecretIsNotRepeated() throws Exception {
    List<String> p = problems("tracing: { otlp: { endpoint: \"http://user:" + SECRET + "@collector:4318\" } }", Map.of());
    assertThat(p).anySatisfy(x -> assertThat(x).contains("tracing.otlp.endpoint: no user info, query or fragment"));
    assertThat(String.join("\n", p)).doesNotContain(SECRET);
    assertThat(problems("tracing: { otlp: { endpoint: \"http://collector:4318/v1/traces?token=x\" } }", Map.of()))
        .anySatisfy(x -> assertThat(x).contains("tracing.otlp.endpoint: no user info"));
  }

  @Test
  void missingOtlpOrEndpoint_isAProblem() throws Exception {
    assertThat(problems("tracing: {}", Map.of())).anySatisfy(p -> assertThat(p).contains("tracing.otlp: required"));
    assertThat(problems("tracing: { otlp: { timeout: 5s } }", Map.of()))
        .anySatisfy(p -> assertThat(p).contains("tracing.otlp.endpoint: an http:// or https:// URL"));
  }

  @Test
  void outOfRangeValues_areProblems() throws Exception {
    List<String> p = problems("tracing: { otlp: { endpoint: \"http://c:4318\", timeout: 5m, batchDelay: 1ms,"
        + " samplingRatio: 1.5, serviceName: \"\" } }", Map.of());
    assertThat(p).anySatisfy(x -> assertThat(x).contains("tracing.otlp.timeout: at most"));
    assertThat(p).anySatisfy(x -> assertThat(x).contains("tracing.otlp.batchDelay: at least"));
    assertThat(p).anySatisfy(x -> assertThat(x).contains("tracing.otlp.samplingRatio: 0.0 to 1.0"));
    assertThat(p).anySatisfy(x -> assertThat(x).contains("tracing.otlp.serviceName"));
  }

  @Test
  void samplingRatio_notAFiniteNumber_isAProblem() throws Exception {
    assertThat(problems("tracing: { otlp: { endpoint: \"http://c:4318\", samplingRatio: half } }", Map.of()))
        .anySatisfy(p -> assertThat(p).contains("tracing.otlp.samplingRatio: must be a number, got"));
    // the YAML reader refuses .nan itself, located
    assertThat(problems("tracing: { otlp: { endpoint: \"http://c:4318\", samplingRatio: .nan } }", Map.of()))
        .anySatisfy(p -> assertThat(p).contains("gw.yaml:4:").contains(".nan"));
    assertThat(problems("tracing: { otlp: { endpoint: \"http://c:4318\", samplingRatio: \"0.25\" } }", Map.of()))
        .noneSatisfy(p -> assertThat(p).contains("samplingRatio"));
  }

  @Test
  void unknownKey_isAProblem() throws Exception {
    assertThat(problems("tracing: { otlp: { endpoint: \"http://c:4318\", headers: \"authorization=x\" } }", Map.of()))
        .anySatisfy(p -> assertThat(p).contains("tracing.otlp.headers: unknown key"));
  }

  @Test
  void headersEnv_unset_isAProblemNamingTheVariable() throws Exception {
    assertThat(problems("tracing: { otlp: { endpoint: \"http://c:4318\", headersEnv: OTLP_HEADERS } }", Map.of()))
        .anySatisfy(p -> assertThat(p).contains("tracing.otlp.headersEnv: environment variable OTLP_HEADERS is not set"));
  }

  @Test
  void headersEnv_malformed_problemNamesTheEntryButNeverAValue() throws Exception {
    List<String> p = problems("tracing: { otlp: { endpoint: \"http://c:4318\", headersEnv: OTLP_HEADERS } }",
        Map.of("OTLP_HEADERS", "x-tenant=city, " + SECRET));
    assertThat(p).anySatisfy(x -> assertThat(x).contains("tracing.otlp.headersEnv: OTLP_HEADERS: entry 2 is not name=value"));
    assertThat(String.join("\n", p)).doesNotContain(SECRET);
    List<String> ctl = problems("tracing: { otlp: { endpoint: \"http://c:4318\", headersEnv: OTLP_HEADERS } }",
        Map.of("OTLP_HEADERS", "authorization=" + SECRET + "%0d%0aX-Injected:1"));
    assertThat(ctl).anySatisfy(x -> assertThat(x).contains("entry 1 (authorization) has an empty value or a control character"));
    assertThat(String.join("\n", ctl)).doesNotContain(SECRET);
  }

  @Test
  void tracesEndpoint_baseUrlGetsV1Traces_fullUrlKept() {
    assertThat(OtlpTracing.tracesEndpoint("http://collector:4318")).isEqualTo(URI.create("http://collector:4318/v1/traces"));
    assertThat(OtlpTracing.tracesEndpoint("https://collector:4318/")).isEqualTo(URI.create("https://collector:4318/v1/traces"));
    assertThat(OtlpTracing.tracesEndpoint("http://tempo/otlp/v1/traces")).isEqualTo(URI.create("http://tempo/otlp/v1/traces"));
  }

  @Test
  void headers_parsePercentEncodedValues_lowerCaseNames() {
    assertThat(OtlpTracing.headers("Authorization=Bearer%20abc+/=,x-scope=a"))
        .containsExactly(Map.entry("authorization", "Bearer abc+/="), Map.entry("x-scope", "a"));
  }

  @Test
  void settings_toString_hasHeaderNamesOnly() {
    OtlpTracing.Settings s = new OtlpTracing.Settings(URI.create("http://c:4318/v1/traces"), Map.of("authorization", SECRET),
        Duration.ofSeconds(1), "shulian-gateway", 1.0, Duration.ofSeconds(1));
    assertThat(s.toString()).contains("authorization").doesNotContain(SECRET);
  }

  @Test
  void headers_emptyName_refused() {
    assertThatThrownBy(() -> OtlpTracing.headers("=value")).hasMessage("entry 1 is not name=value with a header name");
  }
}
