package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.envelope.EnvelopeOpener;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.gateway.authenticate.PinnedPeerVerifier;
import java.net.InetSocketAddress;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * An INTL gateway starts the AES-GCM warm-up (once per JVM, in the background) when it starts, so
 * its first data sets do not run the JDK's Java GHASH/CTR loops (docs/benchmarks.md, "AES-GCM
 * warm-up").
 */
class GatewayWarmUpTest {

  @Test
  void start_intlGateway_hasStartedTheAesGcmWarmUp() throws Exception {
    PartyIdentity civil = TestIdentities.create(Suite.INTL, GatewayEndToEndTest.CIVIL);
    try (Gateway g = Gateway.builder().identity(civil).senderTrust(PinnedSenderTrust.of(civil.certificates()))
        .peers(new PinnedPeerVerifier(civil.certificates(), Clock.systemUTC())).auditor(new MemoryAuditor())
        .consumerListener(new InetSocketAddress("127.0.0.1", 0)).eventLoops(1).build().start()) {
      EnvelopeOpener another = EnvelopeOpener.builder(civil, PinnedSenderTrust.of(civil.certificates())).build();
      assertThat(another.warmUpInBackground()).as("a warm-up was started in this JVM before").isFalse();
    }
  }
}
