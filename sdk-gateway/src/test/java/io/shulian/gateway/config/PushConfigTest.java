package io.shulian.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push receivers and push deliveries in the gateway YAML (docs/gateway.md, docs/return-flow.md
 * "Push"): a receiver the gateway cannot encrypt to, a bad URL or a duplicate is a config error at
 * start, not a failure at the first push.
 */
class PushConfigTest {
  static final String PARTY = "440604/11440604MB2C0002AH";
  @TempDir Path dir;

  private List<String> problems(String push) throws Exception {
    return ConfigProblems.load(dir, "audit: { dir: audit }",
        "provider: { listen: 127.0.0.1:0, backends: [ { resource: r, url: \"http://127.0.0.1:1/a\", "
            + "endpoints: [ { method: GET, path: /x, action: return-flow } ] } ], " + push + " }")
        .problems();
  }

  @Test
  void pushReceiver_unknownParty_isAProblem() throws Exception {
    assertThat(problems("pushReceivers: [ { party: \"" + PARTY + "\", gateway: \"https://127.0.0.1:8443\" } ]"))
        .anySatisfy(p -> assertThat(p).contains("provider.pushReceivers[0].party: no encryption certificate of " + PARTY));
  }

  @Test
  void pushReceiver_malformedParty_isAProblem() throws Exception {
    assertThat(problems("pushReceivers: [ { party: not-a-party, gateway: \"https://127.0.0.1:8443\" } ]"))
        .anySatisfy(p -> assertThat(p).contains("provider.pushReceivers[0].party:"));
  }

  @Test
  void pushReceiver_gatewayNotHttpsOrMissing_isAProblem() throws Exception {
    for (String gw : List.of("gateway: \"http://127.0.0.1:8443\"", "gateway: \"https://\"", "gateway: \"ht tps://x\"", "")) {
      String entry = "{ party: \"" + PARTY + "\"" + (gw.isEmpty() ? "" : ", " + gw) + " }";
      assertThat(problems("pushReceivers: [ " + entry + " ]")).as(gw)
          .anySatisfy(p -> assertThat(p).contains("provider.pushReceivers[0].gateway: must be an https:// URL"));
    }
  }

  @Test
  void pushReceiver_listedTwice_isAProblem() throws Exception {
    String r = "{ party: \"" + PARTY + "\", gateway: \"https://127.0.0.1:8443\" }";
    assertThat(problems("pushReceivers: [ " + r + ", " + r + " ]"))
        .anySatisfy(p -> assertThat(p).contains("provider.pushReceivers[1].party: " + PARTY + " is listed twice"));
  }

  @Test
  void pushDelivery_badUrlOrDuplicateResource_isAProblem() throws Exception {
    assertThat(problems("pushDeliveries: [ { resource: r, url: \"ftp://127.0.0.1/in\" } ]"))
        .anySatisfy(p -> assertThat(p).contains("provider.pushDeliveries[0].url: must be an http:// URL"));
    assertThat(problems("pushDeliveries: [ { resource: r } ]"))
        .anySatisfy(p -> assertThat(p).contains("provider.pushDeliveries[0].url: must be an http:// URL"));
    assertThat(problems("pushDeliveries: [ { resource: r, url: \"http://127.0.0.1/a\" }, { resource: r, url: \"http://127.0.0.1/b\" } ]"))
        .anySatisfy(p -> assertThat(p).contains("provider.pushDeliveries[1].resource: missing or duplicate"));
  }

  @Test
  void pushDelivery_valid_noPushProblem() throws Exception {
    assertThat(problems("pushDeliveries: [ { resource: r, url: \"http://127.0.0.1:9000/incoming\" } ]"))
        .noneSatisfy(p -> assertThat(p).contains("push"));
  }
}
