package io.shulian.hub.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options and HTTPS client of the bureau operators' commands ({@code hub action}, {@code hub
 * cases}): a bearer token; the hub's certificate must chain to the city root and not be revoked in
 * the bundle given.
 */
final class OperatorClient {
  @Option(names = "--hub", required = true, description = "the hub's base URL, https://host:port")
  URI hub;

  @Option(names = "--root", required = true, description = "the city root (PEM) the hub's TLS certificate must chain to")
  Path root;

  @Option(names = "--bundle", required = true,
      description = "a city bundle you hold (e.g. a gateway's last good one); the hub's certificate must not be revoked in it")
  Path bundle;

  @Mixin HubCommand.TokenOptions tokenOptions;

  /** Sends one request as the operator and prints the answer ({@link HubClient#answer}). */
  int call(CommandLine.Model.CommandSpec spec, String method, String path, @Nullable String json) throws Exception {
    return HubClient.answer(spec, send(spec, method, path, json), false);
  }

  /** Sends one request as the operator ({@code json} as its body, if any) and returns the answer. */
  HttpResponse<String> send(CommandLine.Model.CommandSpec spec, String method, String path, @Nullable String json)
      throws Exception {
    HubClient.requireHttps(spec, hub);
    String token = tokenOptions.token(spec);
    HttpClient http = HubCommand.client(root, io.shulian.core.io.BoundedRead.file(bundle,
        io.shulian.core.trust.CityBundle.MAX_BUNDLE_BYTES));
    HttpRequest.Builder b = HttpRequest.newBuilder(hub.resolve(path)).header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(60));
    if (json == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
