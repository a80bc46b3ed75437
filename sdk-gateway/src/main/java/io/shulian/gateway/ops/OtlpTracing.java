package io.shulian.gateway.ops;

import io.opentelemetry.api.OpenTelemetry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The OpenTelemetry SDK of a gateway configured with {@code tracing.otlp} (docs/tracing.md): spans go
 * through a batch span processor to an OTLP/HTTP (protobuf) receiver, sent with the JDK's HttpClient.
 * The SDK classes are optional dependencies of sdk-gateway (shulian.jar has them); {@link
 * #available()} tells whether they are on the class path before anything here is loaded.
 *
 * <p>Headers for the receiver (e.g. an {@code authorization} token) come from an environment
 * variable and are never logged or put in a message: a problem names the variable and the position
 * of the bad entry only.
 */
public final class OtlpTracing {
  /** The OTLP/HTTP path of spans, added to an endpoint given without a path (as OTEL_EXPORTER_OTLP_ENDPOINT). */
  public static final String TRACES_PATH = "/v1/traces";
  /** RFC 9110 token: the header names a receiver may be given. */
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  /** What {@code tracing.otlp} says; {@code headers} already read from their variable. */
  public record Settings(URI endpoint, Map<String, String> headers, Duration timeout, String serviceName,
      double samplingRatio, Duration scheduleDelay) {
    public Settings {
      Objects.requireNonNull(endpoint, "endpoint");
      headers = Map.copyOf(headers);
      Objects.requireNonNull(timeout, "timeout");
      Objects.requireNonNull(serviceName, "serviceName");
      Objects.requireNonNull(scheduleDelay, "scheduleDelay");
    }

    /** Never the header values. */
    @Override
    public String toString() {
      return "OtlpTracing.Settings[endpoint=" + endpoint + ", headers=" + headers.keySet() + ", timeout=" + timeout
          + ", serviceName=" + serviceName + ", samplingRatio=" + samplingRatio + "]";
    }
  }

  /** A started SDK: give {@link #openTelemetry()} to the gateway and close this with it (flushes the last spans). */
  public interface Handle extends AutoCloseable {
    OpenTelemetry openTelemetry();

    @Override
    void close();
  }

  private OtlpTracing() {}

  /** True when the OpenTelemetry SDK and the OTLP exporter are on the class path. */
  public static boolean available() {
    try {
      ClassLoader cl = OtlpTracing.class.getClassLoader();
      Class.forName("io.opentelemetry.sdk.OpenTelemetrySdk", false, cl);
      Class.forName("io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter", false, cl);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * The endpoint spans are posted to: {@code http(s)://host:port} gets {@value #TRACES_PATH}; a URL
   * with a path is used as given.
   *
   * @throws IllegalArgumentException when it is not an http(s) URL without user info, query or fragment
   */
  public static URI tracesEndpoint(@Nullable String endpoint) {
    if (endpoint == null || endpoint.isBlank()) {
      throw new IllegalArgumentException("an http:// or https:// URL of the OTLP/HTTP receiver (port 4318), got none");
    }
    URI u;
    try {
      u = new URI(endpoint.strip());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("not a URL");
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
      throw new IllegalArgumentException("an http:// or https:// URL with a host, e.g. http://127.0.0.1:4318");
    }
    if (u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
      // a token belongs in headersEnv, where it is not written into the configuration or a log
      throw new IllegalArgumentException("no user info, query or fragment (put a token in headersEnv)");
    }
    String path = u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/")
        ? TRACES_PATH : u.getRawPath();
    return URI.create(scheme + "://" + u.getRawAuthority() + path);
  }

  /**
   * Parses the headers for the receiver, {@code name=value} separated by commas (the format of
   * OTEL_EXPORTER_OTLP_HEADERS; values may be percent-encoded).
   *
   * @throws IllegalArgumentException naming the position of a bad entry, never its value
   */
  public static Map<String, String> headers(String spec) {
    Map<String, String> out = new LinkedHashMap<>();
    List<String> entries = new ArrayList<>(List.of(spec.split(",", -1)));
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i).strip();
      if (entry.isEmpty()) {
        continue;
      }
      int eq = entry.indexOf('=');
      String name = eq < 0 ? "" : entry.substring(0, eq).strip();
      if (eq < 1 || !HEADER_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("entry " + (i + 1) + " is not name=value with a header name");
      }
      String value;
      try {
        value = java.net.URLDecoder.decode(entry.substring(eq + 1).strip().replace("+", "%2B"),
            java.nio.charset.StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("entry " + (i + 1) + " (" + name + ") has a malformed percent-encoding");
      }
      if (value.isEmpty() || value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
        throw new IllegalArgumentException("entry " + (i + 1) + " (" + name + ") has an empty value or a control character");
      }
      out.put(name.toLowerCase(Locale.ROOT), value);
    }
    return out;
  }

  /**
   * Builds and starts the SDK: resource {@code service.name}, {@code service.version} (the build's)
   * and {@code shulian.party.id}; a parent-based ratio sampler; a batch span processor exporting to
   * {@code s.endpoint()}. Only call when {@link #available()}.
   */
  public static Handle start(Settings s, String partyId, String version) {
    // in a class of its own, so that this one loads (and configurations are checked) without the SDK
    return OtlpSdk.start(s, partyId, version);
  }
}
