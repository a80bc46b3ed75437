package io.shulian.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.TestParties;
import io.shulian.core.trust.PinnedSenderTrust;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Answering an opened envelope: header fields copied, sender and receiver swapped, misuse refused. */
class EnvelopeReplyTest {
  static final byte[] QUESTION = "{\"id\":\"440600\"}".getBytes(StandardCharsets.UTF_8);
  static final byte[] ANSWER = "{\"married\":true}".getBytes(StandardCharsets.UTF_8);
  static final String TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  final PartyIdentity housing = TestParties.pair(Suite.INTL)[0];
  final PartyIdentity civil = TestParties.pair(Suite.INTL)[1];

  OpenedEnvelope request() throws Exception {
    SealedEnvelope sealed = EnvelopeSealer.builder(housing).build().seal(SealRequest.builder()
        .recipient(civil.encryptionCertificate())
        .resource("civil.marriage")
        .purpose("social-assistance-review")
        .classification(Classification.IMPORTANT)
        .contentType("application/json")
        .grantRef("grant-7")
        .traceparent(TRACE)
        .build(), QUESTION);
    return EnvelopeOpener.builder(civil, PinnedSenderTrust.of(housing.certificates())).build().open(sealed.toByteArray());
  }

  @Test
  void reply_copiesResourcePurposeCorrelation_swapsParties() throws Exception {
    OpenedEnvelope request = request();
    SealedEnvelope answer = EnvelopeSealer.builder(civil).build().reply(request, housing.encryptionCertificate(), ANSWER);

    OpenedEnvelope opened = EnvelopeOpener.builder(housing, PinnedSenderTrust.of(civil.certificates())).build()
        .open(answer.toByteArray());
    EnvelopeHeader h = opened.header();
    assertThat(h.sender()).isEqualTo(civil.party());
    assertThat(h.receiver()).isEqualTo(housing.party());
    assertThat(h.resource()).isEqualTo("civil.marriage");
    assertThat(h.purpose()).isEqualTo("social-assistance-review");
    assertThat(h.classification()).isEqualTo(Classification.IMPORTANT);
    assertThat(h.contentType()).isEqualTo("application/json");
    assertThat(h.correlationId()).contains(request.header().id());
    assertThat(h.traceparent()).contains(TRACE);
    assertThat(h.grantRef()).isEmpty();
    assertThat(h.id()).isNotEqualTo(request.header().id());
    assertThat(opened.payload()).isEqualTo(ANSWER);
  }

  @Test
  void replyTo_builderField_canBeChanged() throws Exception {
    SealRequest r = SealRequest.replyTo(request(), housing.encryptionCertificate()).contentType("text/csv").build();
    assertThat(r.contentType()).isEqualTo("text/csv");
    assertThat(r.resource()).isEqualTo("civil.marriage");
  }

  @Test
  void reply_toAnotherPartyThanTheSender_refused() throws Exception {
    OpenedEnvelope request = request();
    EnvelopeSealer sealer = EnvelopeSealer.builder(civil).build();
    assertThatThrownBy(() -> sealer.reply(request, civil.encryptionCertificate(), ANSWER))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(housing.party().toString());
  }

  @Test
  void reply_bySomeoneTheRequestWasNotFor_refused() throws Exception {
    OpenedEnvelope request = request();
    EnvelopeSealer sealer = EnvelopeSealer.builder(housing).build();
    assertThatThrownBy(() -> sealer.reply(request, housing.encryptionCertificate(), ANSWER))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only its receiver answers it");
  }

  @Test
  void reply_toTheSendersSigningCertificate_refused() throws Exception {
    OpenedEnvelope request = request();
    EnvelopeSealer sealer = EnvelopeSealer.builder(civil).build();
    assertThatThrownBy(() -> sealer.reply(request, request.signer(), ANSWER))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
