package io.shulian.hub.cli;

import io.shulian.core.io.BoundedRead;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.BundleHolder;
import io.shulian.core.trust.CityBundle;
import io.shulian.core.trust.CityTrust;
import io.shulian.gateway.authenticate.CityPeerVerifier;
import io.shulian.gateway.authenticate.GatewayTls;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options and HTTPS client of the department commands ({@code hub apply}, {@code hub
 * applications}, {@code hub objection}): the department authenticates with the TLS key of its
 * key.p12, the hub's certificate must chain to the city root and not be revoked in the bundle given.
 */
final class HubClient {
  @Option(names = "--hub", required = true, description = "the hub's base URL, https://host:port")
  URI hub;

  @Option(names = "--key", required = true, description = "the department's key.p12 with its city-CA TLS certificate")
  Path key;

  @Option(names = "--password", description = "key.p12 password (else $SHULIAN_KEY_PASSWORD)")
  @Nullable String password;

  @Option(names = "--root", required = true, description = "the city root (PEM)")
  Path root;

  @Option(names = "--bundle", required = true,
      description = "a signed city bundle (e.g. the gateway's hub-bundle.jws); the hub's certificate is checked against its CRL")
  Path bundle;

  /**
   * Sends one request and prints the answer: the body on stdout for a 2xx (exit 0), else the
   * problem on stderr (exit 3 when the hub refused the request itself, 1 otherwise).
   */
  int call(CommandLine.Model.CommandSpec spec, String method, String path, @Nullable String json) throws Exception {
    return call(spec, method, path, json, "application/json");
  }

  /** The department's identity from {@code --key} (its TLS and signing keys). */
  PartyIdentity identity(CommandLine.Model.CommandSpec spec) throws Exception {
    String pw = password != null ? password : System.getenv("SHULIAN_KEY_PASSWORD");
    if (pw == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "give --password or set SHULIAN_KEY_PASSWORD");
    }
    return PartyIdentity.load(key, pw.toCharArray());
  }

  /** As {@link #call(CommandLine.Model.CommandSpec, String, String, String)} with a body of {@code contentType}. */
  int call(CommandLine.Model.CommandSpec spec, String method, String path, @Nullable String body, String contentType)
      throws Exception {
    if (!"https".equals(hub.getScheme()) || hub.getHost() == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--hub must be an https:// URL");
    }
    String json = body;
    PartyIdentity me = identity(spec);
    BundleHolder trust = BundleHolder.of(CityTrust.readCertificates(BoundedRead.pemFile(root, 1 << 20)));
    trust.update(BoundedRead.file(bundle, CityBundle.MAX_BUNDLE_BYTES));
    HttpClient http = HttpClient.newBuilder()
        .sslContext(GatewayTls.jdkClient(me, new CityPeerVerifier(trust, Clock.systemUTC())))
        .connectTimeout(Duration.ofSeconds(10)).build();
    HttpRequest.Builder b = HttpRequest.newBuilder(hub.resolve(path)).timeout(Duration.ofSeconds(60));
    if (json == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofString(json));
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 == 2) {
      PrintWriter out = spec.commandLine().getOut();
      out.println(r.body());
      out.flush();
      return 0;
    }
    PrintWriter err = spec.commandLine().getErr();
    err.println(spec.qualifiedName() + ": refused (" + r.statusCode() + "): " + r.body());
    err.flush();
    int s = r.statusCode();
    return s == 400 || s == 403 || s == 404 || s == 409 || s == 413 || s == 415 || s == 422 ? 3 : 1;
  }
}
