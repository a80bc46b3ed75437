package io.shulian.hub.cli;

import io.shulian.core.io.BoundedRead;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.BundleHolder;
import io.shulian.core.trust.CityBundle;
import io.shulian.core.trust.CityTrust;
import io.shulian.gateway.authenticate.CityPeerVerifier;
import io.shulian.gateway.authenticate.GatewayTls;
import io.shulian.gateway.cli.ExitCodes;
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
    requireHttps(spec, hub);
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
    return answer(spec, http.send(b.build(), HttpResponse.BodyHandlers.ofString()), true);
  }

  /** Refuses a {@code --hub} that is not an https:// URL (usage error). */
  static void requireHttps(CommandLine.Model.CommandSpec spec, URI hub) {
    if (!"https".equals(hub.getScheme()) || hub.getHost() == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--hub must be an https:// URL");
    }
  }

  /**
   * The one answer of every hub command: a 2xx body on stdout (exit 0), else the problem on stderr
   * with {@link #exitCode}.
   *
   * @param department whether a department sent it (then 403 is the hub refusing the wrong party)
   */
  static int answer(CommandLine.Model.CommandSpec spec, HttpResponse<String> r, boolean department) {
    if (r.statusCode() / 100 == 2) {
      PrintWriter out = spec.commandLine().getOut();
      out.println(r.body());
      out.flush();
      return ExitCodes.OK;
    }
    PrintWriter err = spec.commandLine().getErr();
    err.println(spec.qualifiedName() + ": refused (" + r.statusCode() + "): " + r.body());
    err.flush();
    return exitCode(r.statusCode(), department);
  }

  /**
   * {@link ExitCodes#REJECTED} when the hub refused the request itself (400, 404, 409, 413, 415,
   * 422; for a department also 403: not its case), else {@link ExitCodes#FAILURE} (401, 403 for an
   * operator's role, 429, 5xx).
   */
  static int exitCode(int status, boolean department) {
    return status == 400 || status == 404 || status == 409 || status == 413 || status == 415 || status == 422
        || department && status == 403 ? ExitCodes.REJECTED : ExitCodes.FAILURE;
  }
}
