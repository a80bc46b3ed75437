package io.shulian.examples.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.shulian.examples.demo.FakePeople.Person;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The departments' own systems behind the provider gateways: small HTTP servers on loopback that
 * answer with generated records. In a real city these are the bureaus' existing databases and APIs;
 * they never see an envelope, only plain HTTP from their own gateway.
 */
final class Backends implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<HttpServer> servers = new ArrayList<>();
  /** Residents of the district, known to the housing bureau and to the provincial system. */
  final List<Person> residents;
  private final FakePeople people;
  private final Map<String, Map<String, Object>> property = new LinkedHashMap<>();
  private final Map<String, Map<String, Object>> providentFund = new LinkedHashMap<>();
  /** What the last extract request produced: records and bytes (before masking). */
  volatile PensionExtract.Written lastExtract = new PensionExtract.Written(0, 0);

  Backends(long seed) {
    people = new FakePeople(seed);
    residents = people.residents("440604", "广东省佛山市禅城区", 12);
    for (Person p : residents) {
      List<Person> household = people.residents("440604", "广东省佛山市禅城区", 1 + people.nextInt(3));
      List<Map<String, Object>> members = new ArrayList<>();
      for (Person m : household) {
        members.add(ordered("name", m.name(), "phone", m.phone()));
      }
      property.put(p.idNumber(), ordered("owner", ordered("name", p.name(), "idNumber", p.idNumber()),
          "members", members, "address", p.address(), "floorArea", people.amount(40, 160)));
      providentFund.put(p.idNumber(), ordered(
          "applicant", ordered("name", p.name(), "idNumber", p.idNumber(), "phone", p.phone()),
          "balance", people.amount(1_000, 90_000), "monthlyDeposit", people.amount(300, 3_000),
          "bankCard", people.bankCard()));
    }
  }

  /** Starts the housing bureau's system; returns its base URL. */
  URI startHousing() throws IOException {
    return start(Map.of(
        "/api/property/", id -> Optional.ofNullable(property.get(id)),
        "/api/provident-fund/", id -> Optional.ofNullable(providentFund.get(id)),
        "/api/petitions/", id -> Optional.of(Map.of("petitioner", Map.of("name", "(confidential)"), "complaint", "…")),
        // served once the bureau has registered it through the hub (scenario "resource registered…")
        "/api/rental-subsidy/", id -> Optional.ofNullable(property.get(id))
            .map(known -> ordered("monthlyAmount", 300 + Math.floorMod(id.hashCode(), 1_700)))));
  }

  /**
   * Starts the provincial pension system; returns its base URL. Besides the status per division it
   * serves the daily enrolment extract at {@code /api/pension-extract/extract}: JSON Lines of at
   * least {@code extractBytes} bytes, generated while it is sent (never held or stored whole).
   */
  URI startProvince(long extractBytes) throws IOException {
    URI base = startProvinceStatus();
    HttpServer server = servers.get(servers.size() - 1);
    PensionExtract extract = new PensionExtract(people.residents("440604", "广东省佛山市禅城区", 1_000));
    server.createContext("/api/pension-extract/", ex -> {
      ex.getRequestBody().close();
      ex.getResponseHeaders().set("Content-Type", "application/jsonl");
      ex.sendResponseHeaders(200, 0); // chunked
      try (java.io.OutputStream out = new java.io.BufferedOutputStream(ex.getResponseBody(), 64 * 1024)) {
        lastExtract = extract.write(out, extractBytes);
      } finally {
        ex.close();
      }
    });
    return base;
  }

  private URI startProvinceStatus() throws IOException {
    return start(Map.of("/api/pension/", ignored -> {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Person p : residents) {
        rows.add(ordered("person", ordered("name", p.name(), "idNumber", p.idNumber(), "address", p.address()),
            "enrolled", !p.idNumber().endsWith("X"), "monthlyPension", people.amount(1_800, 6_000)));
      }
      return Optional.of(rows);
    }));
  }

  /** Starts one server answering GET <prefix><key> with the handler's record, or 404. */
  private URI start(Map<String, Function<String, Optional<Object>>> routes) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    routes.forEach((prefix, handler) -> server.createContext(prefix, ex -> {
      String key = ex.getRequestURI().getPath().substring(prefix.length());
      Optional<Object> body = handler.apply(key);
      if (body.isPresent()) {
        reply(ex, 200, JSON.writeValueAsBytes(body.get()));
      } else {
        reply(ex, 404, "{\"error\":\"no such record\"}".getBytes(StandardCharsets.UTF_8));
      }
    }));
    server.start();
    servers.add(server);
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  static void reply(HttpExchange ex, int status, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    ex.sendResponseHeaders(status, body.length);
    ex.getResponseBody().write(body);
    ex.close();
  }

  /** A JSON object whose members keep the given order (readable output). */
  static Map<String, Object> ordered(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  @Override
  public void close() {
    servers.forEach(s -> s.stop(0));
  }
}
