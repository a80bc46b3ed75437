package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.keys.Suite;
import io.shulian.core.trust.Incidents;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.cli.DatasetDownload;
import io.shulian.gateway.pipeline.GatewayContext;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Outside attacks on data set resume (docs/return-flow.md "Resume") beyond
 * {@link DatasetResumeEndToEndTest}: the consumer's own identity (it may seal anything) asks the
 * provider gateway for continuations of a finished transfer with segment indexes that are not
 * plain numbers, and after the resource was frozen or the consumer suspended in between.
 */
class DatasetResumeAttackEndToEndTest {
  final DatasetResumeEndToEndTest city = new DatasetResumeEndToEndTest();

  @AfterEach
  void tearDown() throws Exception {
    city.tearDown();
  }

  String finishedTransfer() throws Exception {
    city.data.backendRecords = 2_000;
    city.startCity(Suite.INTL);
    DatasetDownload.Result done = city.fetch(new ByteArrayOutputStream());
    assertThat(done.complete()).isTrue();
    String id = done.headers().get("x-shulian-envelope-id");
    assertThat(id).isNotNull();
    return id;
  }

  @Test
  void continuation_segmentIndexNotAPlainNumber_refused409AndAudited() throws Exception {
    String id = finishedTransfer();
    List<String> asked = List.of(id + ";from=abc", id + ";from=", id + ";from=+1", id + ";from= 1", id + ";from=1e3",
        id + ";from=0x10", id + ";from=99999999999", id + ";from=9999999999",
        id + ";from=1;from=0", id + ";from=1,0", id + "; from=1", id + ";FROM=1", id + "x;from=1",
        id.toUpperCase(java.util.Locale.ROOT).replace('-', '_') + ";from=1", "", ";from=1");

    for (String a : asked) {
      String r = city.askContinuation("/households", a);
      assertThat(r).as(a).startsWith("HTTP/1.1 409").contains("RESUME_REFUSED");
      assertThat(r).as(a).doesNotContain("application/shulian-framed");
    }
    DatasetResumeEndToEndTest.awaitEvents(city.providerAudit, 1 + asked.size());
    List<ExchangeEvent> refused = city.providerAudit.events.subList(1, city.providerAudit.events.size());
    assertThat(refused).hasSize(asked.size()).allSatisfy(e -> {
      assertThat(e.status).isEqualTo(409);
      assertThat(e.reasons).contains("CONTINUATION");
    });
  }

  @Test
  void continuation_afterTheResourceWasFrozenOrTheConsumerSuspended_refused403() throws Exception {
    String id = finishedTransfer();
    GatewayContext ctx = city.provider.context();
    Map<io.shulian.core.party.PartyId, io.shulian.core.keys.PartyCertificate> enc =
        Map.of(GatewayEndToEndTest.CIVIL, city.civil.encryptionCertificate());

    ctx.replaceDirectory(new GatewayContext.Directory(Map.of(), enc,
        Incidents.none().withFrozen("HOUSING-001", "investigation")));
    String frozen = city.askContinuation("/households", id + ";from=1");
    ctx.replaceDirectory(new GatewayContext.Directory(Map.of(), enc,
        Incidents.none().withSuspended(GatewayEndToEndTest.CIVIL, "investigation")));
    String suspended = city.askContinuation("/households", id + ";from=1");
    ctx.replaceDirectory(new GatewayContext.Directory(Map.of(), enc));
    String lifted = city.askContinuation("/households", id + ";from=1");

    assertThat(frozen).startsWith("HTTP/1.1 403").contains("RESOURCE_FROZEN");
    assertThat(suspended).startsWith("HTTP/1.1 403").contains("PARTY_SUSPENDED");
    // with the incidents lifted the same continuation is served: the refusals were the incidents
    assertThat(lifted).startsWith("HTTP/1.1 200");
  }
}
