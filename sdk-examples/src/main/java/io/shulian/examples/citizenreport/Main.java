package io.shulian.examples.citizenreport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.CityBundle;
import io.shulian.gateway.Gateway;
import io.shulian.gateway.authenticate.ApiKeys;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.imageio.ImageIO;

/**
 * A city-management "report a problem" app: a resident at the district office's counter (or in its
 * app) photographs a broken street light; the district office's app posts the photo and the location
 * as JSON to its consumer gateway, which seals it for the city urban-management bureau's gateway;
 * the bureau's intake system files it and answers with a ticket.
 *
 * <p>Run: {@code java -cp sdk-examples/target/shulian-demo.jar io.shulian.examples.citizenreport.Main}
 */
public final class Main {
  static final PartyId CITY_MANAGEMENT = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C6006U"), "intake");
  static final PartyId DISTRICT = PartyId.of("440604", CreditCode.withCheckCharacter("11440604MB2D3003G"), "grassroots");
  static final String RESOURCE = "city.problem-reports";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The bureau's catalog entry: who may file reports, for which purpose, and what the answer holds. */
  static final String CATALOG = """
      version: "recipe-1"
      purposes:
        - {code: urban-management, name: 城市管理 (urban management)}
      resources:
        - code: city.problem-reports
          name: 市民问题上报 (citizen problem reports)
          provider: "%s"
          description: Intake of problems reported by residents through district and street offices.
          updateCycle: real-time
          open: not-open
          sharing: {type: unconditional}
          purposes: [urban-management]
          fields:
            - {name: ticket, type: string, classification: general}
            - {name: status, type: string, classification: general}
            - {name: photoBytes, type: integer, classification: general}
          endpoints:
            - {method: POST, path: /}          # a write: only a rule naming 'write' permits it
      """.formatted(CITY_MANAGEMENT);

  /** Filing a report writes into the bureau's system: an explicit rule, since the catalog implies reads only. */
  static final String POLICIES = """
      version: "recipe-1"
      rules:
        - id: districts-file-problem-reports
          effect: permit
          subject: {division: ["4406"]}
          action: [write]
          resource: [city.problem-reports]
          conditions: {purpose: [urban-management]}
          basis: 城市管理 problem reports are filed by the city's district and street offices.
      """;

  private Main() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(System.out) ? 0 : 1);
  }

  /** As {@link #run(Path, PrintStream)}, in a new temporary directory that is left for inspection. */
  public static boolean run(PrintStream out) throws Exception {
    Path dir = Files.createTempDirectory("shulian-citizen-report");
    out.println("work directory: " + dir);
    return run(dir, out);
  }

  /** Runs the recipe with its CA, keys, bundle and logs in {@code dir}. */
  public static boolean run(Path dir, PrintStream out) throws Exception {
    char[] password = "recipe-only".toCharArray();
    String maskKey = java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(16));
    Function<String, String> env = name -> switch (name) {
      case "SHULIAN_KEY_PASSWORD" -> new String(password);
      case "SHULIAN_MASK_KEY" -> maskKey; // secret of keyed-hash masks (none in this catalog)
      default -> null;
    };

    // the city data bureau: CA, two departments, the bundle with the bureau's endpoint and the catalog
    CityAuthority ca = CityAuthority.init(Suite.INTL, "Recipe City Root CA", dir.resolve("ca"), password,
        Duration.ofDays(365), Clock.systemUTC());
    PartyIdentity bureau = ca.issue(CITY_MANAGEMENT, true, Duration.ofDays(30));
    PartyIdentity district = ca.issue(DISTRICT, true, Duration.ofDays(30));
    bureau.store(dir.resolve("bureau.p12"), password);
    district.store(dir.resolve("district.p12"), password);
    Files.writeString(dir.resolve("root.pem"), ca.rootPem());
    int bureauPort;
    try (ServerSocket s = new ServerSocket(0)) {
      bureauPort = s.getLocalPort();
    }
    ObjectMapper yaml = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
    String catalogJson = JSON.writeValueAsString(yaml.readTree(CATALOG));
    String policiesJson = JSON.writeValueAsString(yaml.readTree(POLICIES));
    Files.writeString(dir.resolve("bundle.jws"), CityBundle.draft()
        .version(1)
        .validity(Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(1)))
        .member(CityBundle.Member.of(CITY_MANAGEMENT, "城市管理和综合执法局", URI.create("https://127.0.0.1:" + bureauPort),
            bureau.certificates()))
        .member(CityBundle.Member.of(DISTRICT, "禅城区政务服务数据管理局", null, district.certificates()))
        .caCertificate(ca.root())
        .crl(ca.crl(Duration.ofHours(24)))
        .extension("catalog", catalogJson)
        .extension("policies", policiesJson)
        .sign(ca));

    // the bureau's intake system: files the report, answers with a ticket
    AtomicInteger tickets = new AtomicInteger(120);
    HttpServer intake = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    intake.createContext("/api/reports", ex -> {
      JsonNode report = JSON.readTree(ex.getRequestBody());
      byte[] photo = Base64.getDecoder().decode(report.path("photo").path("data").asText());
      boolean png = photo.length > 8 && photo[1] == 'P' && photo[2] == 'N' && photo[3] == 'G';
      ObjectNode answer = JSON.createObjectNode()
          .put("ticket", "CM-2026-" + String.format("%06d", tickets.incrementAndGet()))
          .put("status", png ? "received" : "photo-unreadable")
          .put("photoBytes", photo.length);
      byte[] b = JSON.writeValueAsBytes(answer);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(png ? 201 : 422, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    intake.start();

    String apiKey = "district-report-app-key";
    Files.writeString(dir.resolve("bureau.yaml"), """
        identity: {keystore: bureau.p12}
        trust: {root: root.pem, bundle: bundle.jws}
        provider:
          listen: 127.0.0.1:%d
          backends:
            - {resource: %s, url: "http://127.0.0.1:%d/api/reports"}
          policy: {fromBundle: true}
        audit: {dir: audit-bureau}
        runtime: {eventLoops: 1}
        """.formatted(bureauPort, RESOURCE, intake.getAddress().getPort()));
    Files.writeString(dir.resolve("district.yaml"), """
        identity: {keystore: district.p12}
        trust: {root: root.pem, bundle: bundle.jws}
        consumer:
          listen: 127.0.0.1:0
          apps:
            - {name: report-a-problem, apiKeySha256: %s}
          routes:
            - {resource: %s, provider: "%s"}
        audit: {dir: audit-district}
        runtime: {eventLoops: 1}
        """.formatted(ApiKeys.hash(apiKey), RESOURCE, CITY_MANAGEMENT));

    try (Gateway bureauGw = io.shulian.examples.gateway.Main.start(dir.resolve("bureau.yaml"), env);
        Gateway districtGw = io.shulian.examples.gateway.Main.start(dir.resolve("district.yaml"), env)) {
      // the app's report: category, description, location and the photo (base64 in JSON)
      byte[] photo = photo();
      ObjectNode report = JSON.createObjectNode()
          .put("category", "street-light")
          .put("description", "路灯不亮 (street light out) outside No. 12")
          .put("reportedAt", Instant.now().toString());
      report.putObject("location").put("lat", 23.0215).put("lon", 113.1214).put("address", "广东省佛山市禅城区祖庙路12号");
      report.putObject("photo").put("contentType", "image/png").put("data", Base64.getEncoder().encodeToString(photo));

      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
              "http://127.0.0.1:" + districtGw.address("consumer").getPort() + "/exchange/" + RESOURCE + "/"))
          .header("X-Api-Key", apiKey)
          .header("X-Shulian-Purpose", "urban-management")
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(report)))
          .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      out.println("district office gateway " + districtGw.address("consumer") + " -> bureau gateway "
          + bureauGw.address("provider"));
      out.println("district office -> city urban-management bureau: report with a " + photo.length + "-byte PNG at "
          + report.path("location").path("address").asText());
      out.println("answer " + r.statusCode() + ": " + r.body());
      out.println("request envelope " + r.headers().firstValue("X-Shulian-Request-Envelope-Id").orElse("-")
          + ", audit logs in " + dir);
      return r.statusCode() == 201 && r.body().contains("\"received\"");
    } finally {
      intake.stop(0);
    }
  }

  /** A small generated photo (64x48 PNG): a dark street with one unlit lamp post. */
  static byte[] photo() throws java.io.IOException {
    BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(new Color(20, 24, 40));
    g.fillRect(0, 0, 64, 48);
    g.setColor(new Color(90, 90, 90));
    g.fillRect(0, 40, 64, 8);
    g.fillRect(30, 10, 3, 30);
    g.fillRect(30, 10, 10, 3);
    g.setColor(new Color(60, 60, 50));
    g.fillOval(37, 12, 6, 4);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }
}
