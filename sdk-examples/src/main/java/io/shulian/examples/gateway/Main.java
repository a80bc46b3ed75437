package io.shulian.examples.gateway;

import com.sun.net.httpserver.HttpServer;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.Gateway;
import io.shulian.gateway.audit.AuditLogAuditor;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.config.ConfigLoader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;

/**
 * Integrator: start gateways from YAML files, the same way {@code shulian gateway --config} does,
 * inside your own process.
 *
 * <p>{@code java -cp sdk-examples/target/shulian-demo.jar io.shulian.examples.gateway.Main} writes
 * a two-party setup (pinned certificates, a static allow-list) to a temporary directory, starts a
 * provider and a consumer gateway from it, sends one request and stops. With
 * {@code --config <gateway.yaml>} it runs that configuration until Ctrl-C (the key store password in
 * {@code $SHULIAN_KEY_PASSWORD}), e.g. one of the city demo's {@code parties/.../gateway.yaml}.
 */
public final class Main {
  static final PartyId HOUSING = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1001H"), "housing");
  static final PartyId CIVIL = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C2002C"), "relief");

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("--config")) {
      runUntilStopped(Path.of(args[1]));
      return;
    }
    System.exit(run(System.out) ? 0 : 1);
  }

  /**
   * Loads a configuration (every problem reported with its location), opens the audit log it names
   * and starts the gateway.
   */
  public static Gateway start(Path config, Function<String, String> env) throws Exception {
    ConfigLoader.Loaded loaded = ConfigLoader.load(config, env);
    Path auditDir = loaded.resolve(loaded.config.audit.dir);
    Files.createDirectories(auditDir);
    AuditLog log = AuditLog.builder(auditDir, loaded.identity).open();
    try {
      return ConfigLoader.apply(loaded, new AuditLogAuditor(log), env).build().start();
    } catch (Exception | Error e) {
      log.close();
      throw e;
    }
  }

  static void runUntilStopped(Path config) throws Exception {
    Gateway g = start(config, System::getenv);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      g.close(); // drains in-flight exchanges, then closes the audit log
      stopped.countDown();
    }));
    for (String l : new String[] {"consumer", "provider", "admin"}) {
      g.boundAddress(l).ifPresent(a -> System.out.println(l + " listening on " + a));
    }
    System.out.println("Ctrl-C to stop");
    stopped.await();
  }

  /** As {@link #run(Path, PrintStream)}, in a new temporary directory that is left for inspection. */
  public static boolean run(PrintStream out) throws Exception {
    Path dir = Files.createTempDirectory("shulian-gateway-recipe");
    out.println("work directory: " + dir);
    return run(dir, out);
  }

  /** Writes keys and two configurations into {@code dir}, starts both gateways, sends one request through them. */
  public static boolean run(Path dir, PrintStream out) throws Exception {
    char[] password = "recipe-only".toCharArray();
    Function<String, String> env = name -> name.equals("SHULIAN_KEY_PASSWORD") ? new String(password) : null;

    // keys: self-signed for a two-party trial; a city uses its CA and bundle (see the city demo)
    for (PartyId p : new PartyId[] {HOUSING, CIVIL}) {
      String name = p.systemCode().orElseThrow();
      PartyIdentity id = PartyIdentity.generateSelfSigned(Suite.INTL, p, Duration.ofDays(30));
      Files.createDirectories(dir.resolve(name));
      id.store(dir.resolve(name + "/key.p12"), password);
      Files.writeString(dir.resolve(name + "/cert.pem"), PartyCertificate.toPem(id.certificates()));
    }

    HttpServer system = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    system.createContext("/api/property/", ex -> {
      byte[] b = "{\"address\":\"广东省佛山市禅城区人民路1号\",\"floorArea\":86.5}".getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    system.start();
    int providerPort;
    try (ServerSocket s = new ServerSocket(0)) {
      providerPort = s.getLocalPort();
    }
    String apiKey = "recipe-app-key";
    Files.writeString(dir.resolve("housing/gateway.yaml"), """
        identity: {keystore: key.p12}
        trust: {certificates: [../relief/cert.pem]}      # pinned: the civil affairs bureau
        provider:
          listen: 127.0.0.1:%d
          backends:
            - resource: housing.property-registry
              url: "http://127.0.0.1:%d/api/property"
              endpoints: [{method: GET, path: "/{id}"}]   # without a catalog: what is served; nothing else is
          permissions:
            - {consumer: "%s", resource: housing.property-registry, purposes: [social-assistance-review]}
        audit: {dir: audit}
        runtime: {eventLoops: 1}
        """.formatted(providerPort, system.getAddress().getPort(), CIVIL));
    Files.writeString(dir.resolve("relief/gateway.yaml"), """
        identity: {keystore: key.p12}
        trust: {certificates: [../housing/cert.pem]}     # pinned: the housing bureau
        consumer:
          listen: 127.0.0.1:0
          apps:
            - {name: assistance-review-app, apiKeySha256: %s}
          routes:
            - {resource: housing.property-registry, provider: "%s", endpoint: "https://127.0.0.1:%d"}
        audit: {dir: audit}
        runtime: {eventLoops: 1}
        """.formatted(ApiKeys.hash(apiKey), HOUSING, providerPort));

    try (Gateway provider = start(dir.resolve("housing/gateway.yaml"), env);
        Gateway consumer = start(dir.resolve("relief/gateway.yaml"), env)) {
      // what the department app does: plain HTTP to its own gateway, with its key and a purpose
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
              "http://127.0.0.1:" + consumer.address("consumer").getPort() + "/exchange/housing.property-registry/1"))
          .header("X-Api-Key", apiKey).header("X-Shulian-Purpose", "social-assistance-review").build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      out.println("configs in " + dir + "; provider gateway on " + provider.address("provider")
          + ", consumer gateway on " + consumer.address("consumer"));
      out.println("GET /exchange/housing.property-registry/1 -> " + r.statusCode() + " " + r.body());
      out.println("response envelope " + r.headers().firstValue("X-Shulian-Envelope-Id").orElse("-"));
      return r.statusCode() == 200 && r.body().contains("floorArea");
    } finally {
      system.stop(0);
    }
  }
}
