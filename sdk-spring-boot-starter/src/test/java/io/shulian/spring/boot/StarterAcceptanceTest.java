package io.shulian.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.spring.boot.testing.LoopbackCity;
import io.shulian.core.envelope.EnvelopeException;
import io.shulian.core.envelope.EnvelopeOpener;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.OpenedEnvelope;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.spring.boot.client.GatewayAccessDeniedException;
import io.shulian.spring.boot.client.GatewayResponse;
import io.shulian.spring.boot.client.ShulianGatewayClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The acceptance test of issue 19: a new Spring Boot project that adds the starter and sets three
 * properties can seal, open and call a resource through a real consumer and provider gateway. The
 * keystore password and the API key come from the environment (SHULIAN_KEY_PASSWORD and
 * SHULIAN_API_KEY, set for this module's tests in its pom), never from properties.
 */
class StarterAcceptanceTest {
  /** The whole application: no Shulian code, only the starter's auto-configuration. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class NewProject {}

  @TempDir Path dir;
  LoopbackCity city;
  ConfigurableApplicationContext app;

  @BeforeEach
  void start() throws Exception {
    city = LoopbackCity.start(dir);
    app = new SpringApplicationBuilder(NewProject.class)
        .web(WebApplicationType.NONE)
        .properties(
            "shulian.identity.keystore=" + city.civilKeystore,
            "shulian.trust.certificates=" + city.housingCertPem,
            "shulian.gateway.url=" + city.consumerUrl())
        .run();
  }

  @AfterEach
  void stop() throws Exception {
    if (app != null) {
      app.close();
    }
    city.close();
  }

  @Test
  void threeProperties_callResourceThroughBothGateways() {
    ShulianGatewayClient client = app.getBean(ShulianGatewayClient.class);

    GatewayResponse<String> r = client.resource(LoopbackCity.RESOURCE)
        .purpose(LoopbackCity.PURPOSE)
        .get("/households/7", String.class);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.requireBody()).contains("\"household\":\"/households/7\"");
    assertThat(r.envelopeId()).isNotBlank();
    assertThat(r.requestEnvelopeId()).isEqualTo(city.consumerAudit.get(0).envelopeId);
    assertThat(city.providerAudit).singleElement().satisfies(e -> {
      assertThat(e.permitted).isTrue();
      assertThat(e.purpose).isEqualTo(LoopbackCity.PURPOSE);
    });
  }

  @Test
  void threeProperties_purposeRefused_typedExceptionWithProblemCode() {
    ShulianGatewayClient client = app.getBean(ShulianGatewayClient.class);

    assertThatThrownBy(() -> client.resource(LoopbackCity.RESOURCE).purpose("marketing")
        .get("/households/7", String.class))
        .isInstanceOfSatisfying(GatewayAccessDeniedException.class, e -> {
          assertThat(e.status()).isEqualTo(403);
          assertThat(e.code()).isEqualTo("PURPOSE_NOT_ALLOWED");
          assertThat(e.hasReason("PURPOSE_NOT_ALLOWED")).isTrue();
        });
    assertThat(city.providerAudit).singleElement().satisfies(e -> assertThat(e.permitted).isFalse());
  }

  @Test
  void threeProperties_sealForPeer_andOpenFromPeer() throws Exception {
    EnvelopeSealer sealer = app.getBean(EnvelopeSealer.class);
    EnvelopeOpener opener = app.getBean(EnvelopeOpener.class);
    ShulianTrust trust = app.getBean(ShulianTrust.class);
    byte[] payload = "{\"case\":\"2024-0815\"}".getBytes(StandardCharsets.UTF_8);

    // the application seals for housing; housing opens it
    byte[] toHousing = sealer.seal(SealRequest.builder()
        .recipient(trust.encryptionCertificate(LoopbackCity.HOUSING))
        .resource(LoopbackCity.RESOURCE).purpose(LoopbackCity.PURPOSE).contentType("application/json").build(),
        payload).toByteArray();
    OpenedEnvelope atHousing = EnvelopeOpener.builder(city.housing, PinnedSenderTrust.of(city.civil.certificates()))
        .build().open(toHousing);
    assertThat(atHousing.payload()).isEqualTo(payload);

    // housing answers; the application opens the answer, once
    byte[] answer = EnvelopeSealer.builder(city.housing).build()
        .reply(atHousing, city.civil.encryptionCertificate(), payload).toByteArray();
    assertThat(opener.open(answer).header().sender()).isEqualTo(LoopbackCity.HOUSING);
    assertThatThrownBy(() -> opener.open(answer))
        .isInstanceOfSatisfying(EnvelopeException.class, e -> assertThat(e.code()).isEqualTo("REPLAYED"));
  }
}
