package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.shulian.hub.apply.CaseRoutes;
import io.shulian.hub.http.HubHandler;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checked-in OpenAPI document and the routes the hub serves are the same set. */
class HubOpenApiTest {
  @TempDir Path dir;

  static Set<String> documented() throws Exception {
    JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(CaseRoutes.openApiDocument());
    assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
    Set<String> routes = new TreeSet<>();
    for (Iterator<String> p = doc.get("paths").fieldNames(); p.hasNext(); ) {
      String path = p.next();
      for (Iterator<String> m = doc.get("paths").get(path).fieldNames(); m.hasNext(); ) {
        routes.add(m.next().toUpperCase(Locale.ROOT) + " " + path);
      }
    }
    return routes;
  }

  static Set<String> served() {
    Set<String> routes = new TreeSet<>(HubHandler.ROUTES);
    routes.addAll(io.shulian.hub.review.ReviewRoutes.ROUTES);
    routes.addAll(io.shulian.hub.events.EventRoutes.ROUTES);
    routes.addAll(io.shulian.hub.console.ConsoleRoutes.ROUTES);
    for (CaseRoutes.Route r : CaseRoutes.Route.values()) {
      routes.add(r.method() + " " + r.template());
    }
    return routes;
  }

  @Test
  void openApi_documentsExactlyTheRoutesTheRouterServes() throws Exception {
    assertThat(documented()).isEqualTo(served());
  }

  @Test
  void openApi_everyDocumentedRouteIsRoutedOnTheRealHub_andTheDocumentIsServed() throws Exception {
    TestHubCity city = new TestHubCity(dir);
    try (Hub h = city.startHub()) {
      city.publish(h, TestHubCity.OFFICER_TOKEN, HubApplicationsEndToEndTest.catalogBundle(city, 1));
      HttpClient c = city.client(city.civil);
      for (String route : documented()) {
        String method = route.substring(0, route.indexOf(' '));
        String path = route.substring(route.indexOf(' ') + 1).replace("{suite}", "intl")
            .replace("{logId}", "00000000000000000000000000000000").replace("{actionId}", "1")
            .replace("/alerts/{id}/", "/alerts/1/").replace("{id}", "app-00000000-0000-0000-0000-000000000000");
        HttpRequest.Builder b = HttpRequest.newBuilder(TestHubCity.url(h, path)).timeout(Duration.ofSeconds(30));
        b.method(method, HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bearer " + TestHubCity.REVIEWER_TOKEN);
        HttpResponse<String> r = c.send(b.build(), HttpResponse.BodyHandlers.ofString());
        // routed: anything but the router's "no such resource" or a wrong method
        assertThat(r.statusCode()).as(route + " " + r.body()).isNotEqualTo(405);
        assertThat(r.body()).as(route).doesNotContain("no such resource").doesNotContain("no such console resource");
      }
      HttpResponse<String> doc = c.send(HttpRequest.newBuilder(TestHubCity.url(h, "/v1/openapi.yaml")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(doc.statusCode()).isEqualTo(200);
      assertThat(doc.headers().firstValue("Content-Type")).hasValue("application/yaml");
      assertThat(doc.body()).isEqualTo(new String(CaseRoutes.openApiDocument(), java.nio.charset.StandardCharsets.UTF_8));
    }
  }
}
