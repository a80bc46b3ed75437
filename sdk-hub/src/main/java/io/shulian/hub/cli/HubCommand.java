package io.shulian.hub.cli;

import io.shulian.core.trust.BundleHolder;
import io.shulian.core.trust.CityTrust;
import io.shulian.gateway.authenticate.CityPeerVerifier;
import io.shulian.gateway.authenticate.GatewayTls;
import io.shulian.gateway.cli.ShulianCli;
import io.shulian.hub.Hub;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code shulian hub}: runs the city hub, and {@code shulian hub publish} sends it a bundle. */
@Command(
    name = "hub",
    mixinStandardHelpOptions = true,
    description = {
      "Run the city hub from a YAML configuration (hub --config hub.yaml), or talk to one.",
      "The hub serves the newest signed city bundle to gateways with long-poll push and takes "
          + "publishes from bureau operators; see docs/hub.md. SIGTERM stops it."
    },
    subcommands = {HubCommand.Publish.class, CaseCommands.Apply.class, CaseCommands.Applications.class,
        CaseCommands.Objection.class, ActionCommand.class, CasesCommand.class, ReviewCommand.class,
        AlertsCommand.class, PasswdCommand.class})
public final class HubCommand implements Callable<Integer>, ShulianCli.Extension {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", description = "hub.yaml")
  Path config;

  @Override
  public Integer call() throws Exception {
    if (config == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--config is required");
    }
    PrintWriter err = spec.commandLine().getErr();
    Hub hub = Hub.load(config, System::getenv).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      hub.close();
      stopped.countDown();
    }, "shulian-hub-shutdown"));
    err.println("hub running: hub=" + hub.address("hub"));
    err.flush();
    stopped.await();
    return 0;
  }

  /** {@code shulian hub publish}: uploads a signed bundle as a security officer. */
  @Command(name = "publish", mixinStandardHelpOptions = true,
      description = "Publish a signed city bundle on the hub as a security officer; exit 3 if invalid or not newer.")
  static final class Publish implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--hub", required = true, description = "the hub's base URL, https://host:port")
    URI hub;

    @Option(names = "--bundle", required = true, description = "the signed bundle (shulian bundle sign)")
    Path bundle;

    @Option(names = "--suite", defaultValue = "intl", description = "intl or gm (default intl)")
    String suite;

    @Option(names = "--root", required = true,
        description = "the city root (PEM); the hub's TLS certificate must chain to it and not be revoked in the bundle")
    Path root;

    @CommandLine.Mixin TokenOptions tokenOptions;

    @Override
    public Integer call() throws Exception {
      HubClient.requireHttps(spec, hub);
      if (!suite.equals("intl") && !suite.equals("gm")) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--suite must be intl or gm");
      }
      String token = tokenOptions.token(spec);
      byte[] jws = io.shulian.core.io.BoundedRead.file(bundle, io.shulian.core.trust.CityBundle.MAX_BUNDLE_BYTES);
      // the hub is authenticated by the bundle being published: its certificate must chain to the
      // city root and not be revoked by the CRL inside
      HttpClient http = client(root, jws);
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(hub.resolve("/v1/admin/bundle/" + suite))
          .header("Authorization", "Bearer " + token)
          .header("Content-Type", "application/jose")
          .timeout(Duration.ofSeconds(60))
          .POST(HttpRequest.BodyPublishers.ofByteArray(jws)).build(), HttpResponse.BodyHandlers.ofString());
      return HubClient.answer(spec, r, false);
    }
  }

  /** {@code --token-env} / {@code --token-file}: the operator's bearer token. */
  static final class TokenOptions {
    @Option(names = "--token-env", defaultValue = "SHULIAN_HUB_TOKEN",
        description = "environment variable holding the operator's bearer token (default SHULIAN_HUB_TOKEN)")
    String tokenEnv;

    @Option(names = "--token-file", description = "file holding the operator's bearer token (instead of --token-env)")
    Path tokenFile;

    String token(CommandLine.Model.CommandSpec spec) throws java.io.IOException {
      String token = tokenFile != null
          ? new String(io.shulian.core.io.BoundedRead.file(tokenFile, 4096), StandardCharsets.UTF_8).strip()
          : System.getenv(tokenEnv);
      if (token == null || token.isEmpty()) {
        throw new CommandLine.ParameterException(spec.commandLine(), tokenFile != null ? tokenFile + " is empty"
            : "environment variable " + tokenEnv + " is not set");
      }
      return token;
    }
  }

  /**
   * An HTTPS client that accepts the hub only with a TLS certificate chaining to {@code root} and
   * not revoked by the CRL of {@code bundle} (verified against the root).
   */
  static HttpClient client(Path root, byte[] bundle) throws Exception {
    BundleHolder trust = BundleHolder.of(CityTrust.readCertificates(io.shulian.core.io.BoundedRead.pemFile(root, 1 << 20)));
    trust.update(bundle);
    return HttpClient.newBuilder()
        .sslContext(GatewayTls.jdkClient(null, new CityPeerVerifier(trust, Clock.systemUTC())))
        .connectTimeout(Duration.ofSeconds(10)).build();
  }
}
