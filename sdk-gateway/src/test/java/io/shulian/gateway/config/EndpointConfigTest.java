package io.shulian.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.envelope.EnvelopeHeader;
import io.shulian.gateway.authorize.ExchangePolicy;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without a catalog the configuration declares what a backend serves; nothing is served by default. */
class EndpointConfigTest {
  @TempDir Path dir;

  private List<String> problems(String... lines) throws Exception {
    String[] all = new String[lines.length + 1];
    all[0] = "audit: { dir: audit }";
    System.arraycopy(lines, 0, all, 1, lines.length);
    return ConfigProblems.load(dir, all).problems();
  }

  @Test
  void backendWithoutEndpointsOrCatalog_isAProblem() throws Exception {
    assertThat(problems("provider: { listen: 127.0.0.1:0, backends: [ { resource: r, url: \"http://127.0.0.1:1/a\" } ] }"))
        .anySatisfy(p -> assertThat(p).contains(": provider.backends[0].endpoints: required without provider.policy"));
  }

  @Test
  void backendEndpointsBesideACatalogPolicy_isAProblem() throws Exception {
    assertThat(problems("provider: { listen: 127.0.0.1:0, policy: { dir: p },",
        "  backends: [ { resource: r, url: \"http://127.0.0.1:1/a\", endpoints: [ { method: GET, path: /x } ] } ] }"))
        .anySatisfy(p -> assertThat(p).contains(": provider.backends[0].endpoints: the catalog of provider.policy declares"));
  }

  @Test
  void malformedEndpoints_eachAProblem() throws Exception {
    List<String> p = problems("provider: { listen: 127.0.0.1:0, backends: [ { resource: r, url: \"http://127.0.0.1:1/a\",",
        "  endpoints: [ { method: PROPFIND, path: /x }, { method: GET, path: \"/../y\" }, { method: POST, path: /z, action: query },",
        "    { method: GET, path: \"/{a}\" }, { method: GET, path: \"/{b}\" }, { method: GET } ] } ] }");
    assertThat(p).anySatisfy(x -> assertThat(x).contains(": provider.backends[0].endpoints[0]: 'PROPFIND' is not one of"));
    assertThat(p).anySatisfy(x -> assertThat(x).contains(": provider.backends[0].endpoints[1]: '/../y' has a dot segment"));
    assertThat(p).anySatisfy(x -> assertThat(x).contains(": provider.backends[0].endpoints[2]: a POST endpoint writes"));
    assertThat(p).anySatisfy(x -> assertThat(x).contains(": provider.backends[0].endpoints[4]: duplicate endpoint"));
    assertThat(p).anySatisfy(x -> assertThat(x).contains(": provider.backends[0].endpoints[5]: method and path are required"));
  }

  @Test
  void routeEndpoints_checkedLikeTheCatalog() throws Exception {
    // its own file: the shared minimal config already has a consumer section
    java.nio.file.Path f = dir.resolve("routes.yaml");
    java.nio.file.Files.writeString(f, String.join("\n", "identity: { keystore: missing.p12 }", "audit: { dir: audit }",
        "consumer: { listen: 127.0.0.1:0, routes: [ { resource: r, provider: \"440600/11440600MB2C1234HN\",",
        "  endpoint: \"https://127.0.0.1:1\", endpoints: [ { method: GET, path: \"/a;b\" } ] } ] }", ""));
    assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(ConfigException.class,
        () -> ConfigLoader.load(f, java.util.Map.<String, String>of()::get)).problems())
        .anySatisfy(p -> assertThat(p).contains(": consumer.routes[0].endpoints[0]: '/a;b' is not a path template"));
  }

  @Test
  void permissionWithUnknownAction_isAProblem() throws Exception {
    assertThat(problems("provider: { listen: 127.0.0.1:0, backends: [ { resource: r, url: \"http://127.0.0.1:1/a\",",
        "  endpoints: [ { method: GET, path: /x } ] } ],",
        "  permissions: [ { consumer: \"440600/11440600MB2C5678CX\", resource: r, purposes: [p], actions: [delete] } ] }"))
        .anySatisfy(p -> assertThat(p).contains(": provider.permissions[0].actions: 'delete' is not one of"));
  }

  static EnvelopeHeader header() throws Exception {
    var housing = io.shulian.core.keys.PartyIdentity.generateSelfSigned(io.shulian.core.keys.Suite.INTL,
        io.shulian.core.party.PartyId.parse("440600/11440600MB2C1234HN"), java.time.Duration.ofDays(1));
    var civil = io.shulian.core.keys.PartyIdentity.generateSelfSigned(io.shulian.core.keys.Suite.INTL,
        io.shulian.core.party.PartyId.parse("440600/11440600MB2C5678CX"), java.time.Duration.ofDays(1));
    return io.shulian.core.envelope.EnvelopeSealer.builder(civil).build().seal(io.shulian.core.envelope.SealRequest.builder()
        .recipient(housing.encryptionCertificate()).resource("r").purpose("p").contentType("message/http").build(),
        new byte[0]).header();
  }

  @Test
  void permissions_queryByDefault_writeOnlyWhenListed() throws Exception {
    GatewayConfig.Permission read = new GatewayConfig.Permission();
    read.consumer = "440600/11440600MB2C5678CX";
    read.resource = "r";
    read.purposes = List.of("p");
    ExchangePolicy readOnly = ConfigLoader.permissions(List.of(read));
    GatewayConfig.Permission write = new GatewayConfig.Permission();
    write.consumer = read.consumer;
    write.resource = "r";
    write.purposes = List.of("p");
    write.actions = List.of("write");
    ExchangePolicy both = ConfigLoader.permissions(List.of(read, write));
    EnvelopeHeader h = header();

    assertThat(readOnly.decide(h, "query", null).isPermit()).isTrue();
    assertThat(readOnly.decide(h, "write", null).isPermit()).isFalse();
    assertThat(readOnly.decide(h, "export", null).isPermit()).isFalse();
    assertThat(both.decide(h, "write", null).isPermit()).isTrue();
  }
}
