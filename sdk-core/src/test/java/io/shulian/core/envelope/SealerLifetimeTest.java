package io.shulian.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.TestParties;
import io.shulian.core.trust.PinnedSenderTrust;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A sealer refuses a time to live that the opener would refuse as a too long lifetime. */
class SealerLifetimeTest {
  private final PartyIdentity[] p = TestParties.pair(Suite.INTL);

  private SealRequest request(Duration ttl, EnvelopeEncoding encoding) {
    return SealRequest.builder().recipient(p[1].encryptionCertificate()).resource("HOUSING-001")
        .purpose("social-assistance-review").ttl(ttl).encoding(encoding).build();
  }

  private EnvelopeOpener opener(Duration maxLifetime) {
    return EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).maxLifetime(maxLifetime).build();
  }

  @Test
  void seal_ttlTwoDays_refusedAsTheOpenerWouldRefuseIt() {
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).build();
    SealRequest twoDays = request(Duration.ofDays(2), EnvelopeEncoding.COMPACT);

    assertThatThrownBy(() -> sealer.seal(twoDays, new byte[] {1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ttl").hasMessageContaining("PT48H").hasMessageContaining("PT24H");
    assertThatThrownBy(() -> sealer.seal(request(Duration.ofDays(2), EnvelopeEncoding.FRAMED), new byte[] {1}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> sealer.sealStream(twoDays, new ByteArrayInputStream(new byte[1]), new ByteArrayOutputStream()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> sealer.sealBatch(List.of(request(Duration.ofMinutes(5), EnvelopeEncoding.COMPACT), twoDays),
        List.of(new byte[1], new byte[1])))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void seal_ttlOneSecondOverDefault_refused() {
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).build();
    assertThat(sealer.maxLifetime()).isEqualTo(EnvelopeOpener.DEFAULT_MAX_LIFETIME);
    assertThatThrownBy(() -> sealer.seal(request(Duration.ofHours(24).plusSeconds(1), EnvelopeEncoding.COMPACT),
        new byte[] {1})).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void seal_ttlExactlyMaxLifetime_opensWithDefaultOpener() throws Exception {
    SealedEnvelope sealed = EnvelopeSealer.builder(p[0]).build()
        .seal(request(Duration.ofHours(24), EnvelopeEncoding.COMPACT), new byte[] {7});
    assertThat(opener(EnvelopeOpener.DEFAULT_MAX_LIFETIME).open(sealed.toByteArray()).payload()).containsExactly(7);
  }

  @Test
  void seal_twoDays_sealerAndOpenerBothRaised_opens() throws Exception {
    SealedEnvelope sealed = EnvelopeSealer.builder(p[0]).maxLifetime(Duration.ofDays(2)).build()
        .seal(request(Duration.ofDays(2), EnvelopeEncoding.COMPACT), new byte[] {9});
    assertThat(opener(Duration.ofDays(2)).open(sealed.toByteArray()).payload()).containsExactly(9);
    assertThatThrownBy(() -> opener(EnvelopeOpener.DEFAULT_MAX_LIFETIME).open(sealed.toByteArray()))
        .isInstanceOf(EnvelopeExpiredException.class);
  }

  @Test
  void builder_maxLifetimeOutOfRange_refused() {
    assertThatThrownBy(() -> EnvelopeSealer.builder(p[0]).maxLifetime(Duration.ofDays(31)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EnvelopeSealer.builder(p[0]).maxLifetime(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
