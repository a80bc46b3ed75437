package io.shulian.examples.casereview;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.testing.CoreBoundary;
import io.shulian.spring.boot.testing.LoopbackCity;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service as deployed: a real web server, real consumer and provider gateways and the housing
 * bureau's system on loopback; only the three Shulian properties point at them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class CaseReviewApplicationTest {
  @TempDir static Path dir;
  static LoopbackCity city;

  @DynamicPropertySource
  static void city(DynamicPropertyRegistry registry) throws Exception {
    city = LoopbackCity.start(dir);
    registry.add("shulian.identity.keystore", () -> city.civilKeystore.toString());
    registry.add("shulian.trust.certificates", () -> city.housingCertPem.toString());
    registry.add("shulian.gateway.url", city::consumerUrl);
  }

  @AfterAll
  static void stopCity() throws Exception {
    city.close();
  }

  @Autowired TestRestTemplate http;

  @Test
  void review_fetchesHouseholdThroughBothGateways_andIsAudited() {
    ResponseEntity<String> r = http.getForEntity("/cases/C-2024-0815/households/7", String.class);

    assertThat(r.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(r.getBody()).contains("\"household\":\"/households/7\"");
    assertThat(city.providerAudit).anySatisfy(e -> {
      assertThat(e.permitted).isTrue();
      assertThat(e.purpose).isEqualTo(CaseReviewController.PURPOSE);
    });
  }

  @Test
  void review_badHouseholdId_isRefusedBeforeAnyExchange() {
    int before = city.consumerAudit.size();
    ResponseEntity<String> r = http.getForEntity("/cases/C-1/households/7_x", String.class);

    assertThat(r.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(city.consumerAudit).hasSize(before);
  }

  @Test
  void health_reportsKeysTrustAndGateway() {
    ResponseEntity<String> r = http.getForEntity("/actuator/health/shulian", String.class);

    assertThat(r.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(r.getBody()).contains("\"status\":\"UP\"").contains("\"gatewayReachable\":true")
        .contains("\"keysLoaded\":true");
  }

  @Test
  void serviceAndTests_neverDependOnCoreInternals() {
    CoreBoundary.assertNoCoreInternals();
  }
}
