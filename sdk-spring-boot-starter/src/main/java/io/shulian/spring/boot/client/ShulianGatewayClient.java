package io.shulian.spring.boot.client;

import io.shulian.core.policy.Action;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

/**
 * Calls data through the department's consumer gateway ({@code /exchange/<resource>/<path>},
 * docs/gateway.md): sets the application's API key, the purpose, and optionally the grant and the
 * action; returns 2xx answers as {@link GatewayResponse} and throws a {@link GatewayException}
 * subclass with the gateway's primary code for every other outcome. Thread-safe; build once.
 *
 * <pre>{@code
 * GatewayResponse<String> r = client.resource("HOUSING-001")
 *     .purpose("social-assistance-review")
 *     .get("/households/7", String.class);
 * }</pre>
 *
 * <p>Built on Spring's {@link RestClient}: the builder the application context provides carries
 * its observation (Micrometer) and message converters, so a traced application propagates its
 * W3C {@code traceparent} to the gateway, which binds it into the signed envelope.
 */
public final class ShulianGatewayClient {
  /** The application's API key. */
  public static final String API_KEY_HEADER = "X-Api-Key";
  /** The purpose of the exchange (required). */
  public static final String PURPOSE_HEADER = "X-Shulian-Purpose";
  /** A grant JWT from the provider, where the policy asks for one. */
  public static final String GRANT_HEADER = "X-Shulian-Grant";
  /** The read action of a GET ({@code query} by default). */
  public static final String ACTION_HEADER = "X-Shulian-Action";
  /** The id of the response envelope. */
  public static final String ENVELOPE_ID_HEADER = "X-Shulian-Envelope-Id";
  /** The id of the request envelope. */
  public static final String REQUEST_ENVELOPE_ID_HEADER = "X-Shulian-Request-Envelope-Id";

  /** A catalog resource id: one path segment of unreserved characters. */
  private static final Pattern RESOURCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._~-]{0,127}");

  /** Told about every call, e.g. to count it (the starter's Micrometer binding). */
  @FunctionalInterface
  public interface Listener {
    /**
     * Called once per call after it ended.
     *
     * @param resource the resource called
     * @param method the HTTP method
     * @param status the HTTP status, 0 when the gateway gave no answer
     * @param outcome {@code ok}, or the primary code in lower case
     * @param elapsed how long the call took
     */
    void onCall(String resource, String method, int status, String outcome, Duration elapsed);
  }

  private final RestClient rest;
  private final URI gateway;
  private final Listener listener;

  private ShulianGatewayClient(RestClient rest, URI gateway, Listener listener) {
    this.rest = rest;
    this.gateway = gateway;
    this.listener = listener;
  }

  /**
   * Creates a client.
   *
   * @param builder a RestClient builder (the application context's, so observations apply); it is
   *     cloned, not changed
   * @param gateway the consumer listener, e.g. {@code http://127.0.0.1:8080}
   * @param apiKey the application's API key (sent in {@value #API_KEY_HEADER})
   * @param connectTimeout time to connect
   * @param readTimeout time the gateway may take to answer
   * @param listener told about every call
   */
  public static ShulianGatewayClient create(RestClient.Builder builder, URI gateway, String apiKey,
      Duration connectTimeout, Duration readTimeout, Listener listener) {
    Objects.requireNonNull(gateway, "gateway");
    if (!"http".equals(gateway.getScheme()) && !"https".equals(gateway.getScheme()) || gateway.getHost() == null) {
      throw new IllegalArgumentException("the gateway URL must be http(s)://host:port, got " + gateway);
    }
    if (gateway.getRawQuery() != null || gateway.getRawFragment() != null
        || gateway.getRawPath() != null && !gateway.getRawPath().isEmpty() && !"/".equals(gateway.getRawPath())) {
      throw new IllegalArgumentException("the gateway URL must have no path, query or fragment, got " + gateway);
    }
    if (apiKey.isEmpty()) {
      throw new IllegalArgumentException("empty API key");
    }
    JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(
        HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER).build());
    factory.setReadTimeout(readTimeout);
    RestClient rest = builder.clone()
        .requestFactory(factory)
        .defaultHeader(API_KEY_HEADER, apiKey)
        .build();
    URI base = URI.create(gateway.getScheme() + "://" + gateway.getRawAuthority());
    return new ShulianGatewayClient(rest, base, Objects.requireNonNull(listener, "listener"));
  }

  /** Returns the gateway's base URL. */
  public URI gatewayUrl() {
    return gateway;
  }

  /**
   * Starts a call to a resource of the city catalog.
   *
   * @throws IllegalArgumentException if {@code resource} is not a resource id
   */
  public Call resource(String resource) {
    if (!RESOURCE.matcher(resource).matches()) {
      throw new IllegalArgumentException("not a resource id: must be letters, digits and . _ ~ - (at most 128)");
    }
    return new Call(resource);
  }

  /** One call: set the purpose (required), then optionally grant and action, then send. Not thread-safe. */
  public final class Call {
    private final String resource;
    private @Nullable String purpose;
    private @Nullable String grant;
    private @Nullable Action action;

    private Call(String resource) {
      this.resource = resource;
    }

    /** Sets the purpose of the exchange, as the catalog names it (required). */
    public Call purpose(String purpose) {
      if (purpose.isBlank() || purpose.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
        throw new IllegalArgumentException("a purpose is printable ASCII without spaces");
      }
      this.purpose = purpose;
      return this;
    }

    /** Sets the grant (a JWT the provider issued) the policy asks for. */
    public Call grant(String grantJwt) {
      if (grantJwt.isBlank() || grantJwt.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
        throw new IllegalArgumentException("a grant is a compact JWT");
      }
      this.grant = grantJwt;
      return this;
    }

    /** Sets the read action of a GET (the gateway decides {@code query} by default). */
    public Call action(Action action) {
      this.action = Objects.requireNonNull(action, "action");
      return this;
    }

    /** GETs {@code path} (relative to the resource, e.g. {@code /households/7?year=2024}). */
    public <T> GatewayResponse<T> get(String path, Class<T> type) {
      return exchange(HttpMethod.GET, path, null, null, type);
    }

    /** POSTs {@code body} as JSON (or as the converters write its type) to {@code path}. */
    public <T> GatewayResponse<T> post(String path, Object body, Class<T> type) {
      return exchange(HttpMethod.POST, path, body, MediaType.APPLICATION_JSON, type);
    }

    /**
     * Sends one request and returns the 2xx answer.
     *
     * @param path relative to the resource, starting with {@code /} (or empty); sent as given,
     *     in RFC 3986 normal form (the gateways refuse anything else, docs/gateway.md)
     * @param body the body, or null
     * @param contentType the body's type, or null for the converters' choice
     * @throws GatewayException for every answer other than 2xx, and when there is none
     * @throws IllegalStateException if no purpose was set
     */
    public <T> GatewayResponse<T> exchange(HttpMethod method, String path, @Nullable Object body,
        @Nullable MediaType contentType, Class<T> type) {
      String p = purpose;
      if (p == null) {
        throw new IllegalStateException("set the purpose of the exchange first (purpose(...))");
      }
      if (!path.isEmpty() && !path.startsWith("/")) {
        throw new IllegalArgumentException("the path must start with /");
      }
      URI uri = URI.create(gateway + "/exchange/" + resource + path);
      String call = method.name() + " " + resource;
      long start = System.nanoTime();
      int status = 0;
      String outcome = "ok";
      try {
        RestClient.RequestBodySpec spec = rest.method(method).uri(uri).header(PURPOSE_HEADER, p);
        String g = grant;
        if (g != null) {
          spec.header(GRANT_HEADER, g);
        }
        Action a = action;
        if (a != null) {
          spec.header(ACTION_HEADER, a.wireName());
        }
        if (body != null) {
          if (contentType != null) {
            spec.contentType(contentType);
          }
          spec.body(body);
        }
        ResponseEntity<T> e = spec.retrieve()
            .onStatus(s -> !s.is2xxSuccessful(), (req, res) -> {
              MediaType ct = res.getHeaders().getContentType();
              throw Problems.from(res.getStatusCode().value(), ct == null ? null : ct.toString(), res.getBody(), call);
            })
            .toEntity(type);
        status = e.getStatusCode().value();
        MediaType ct = e.getHeaders().getContentType();
        return new GatewayResponse<>(status, e.getBody(), ct == null ? null : ct.toString(),
            e.getHeaders().getFirst(ENVELOPE_ID_HEADER), e.getHeaders().getFirst(REQUEST_ENVELOPE_ID_HEADER));
      } catch (GatewayException e) {
        status = e.status();
        outcome = e.code().toLowerCase(java.util.Locale.ROOT);
        throw e;
      } catch (ResourceAccessException e) {
        outcome = GatewayUnreachableException.CODE.toLowerCase(java.util.Locale.ROOT);
        Throwable cause = e.getCause() == null ? e : e.getCause();
        throw new GatewayUnreachableException(call + ": no answer from the consumer gateway at "
            + gateway.getRawAuthority() + " (" + cause.getClass().getSimpleName() + ")", e);
      } finally {
        listener.onCall(resource, method.name(), status, outcome, Duration.ofNanos(System.nanoTime() - start));
      }
    }
  }
}
