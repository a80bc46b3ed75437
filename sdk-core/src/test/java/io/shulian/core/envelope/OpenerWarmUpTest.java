package io.shulian.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.TestParties;
import io.shulian.core.trust.PinnedSenderTrust;
import org.junit.jupiter.api.Test;

/** {@link EnvelopeOpener#warmUpInBackground}: AES-GCM (INTL) once per JVM; nothing for GM. */
class OpenerWarmUpTest {

  @Test
  void warmUpInBackground_gm_startsNothing() {
    PartyIdentity[] p = TestParties.pair(Suite.GM);
    assertThat(EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).build().warmUpInBackground())
        .isFalse();
  }

  @Test
  void warmUpInBackground_intlTwice_startsAtMostOnce() {
    PartyIdentity[] p = TestParties.pair(Suite.INTL);
    EnvelopeOpener opener = EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).build();
    opener.warmUpInBackground();
    assertThat(opener.warmUpInBackground()).isFalse();
  }
}
