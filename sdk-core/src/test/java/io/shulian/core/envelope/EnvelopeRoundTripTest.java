package io.shulian.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.TestParties;
import io.shulian.core.trust.PinnedSenderTrust;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EnvelopeRoundTripTest {

  static Stream<Arguments> suitesAndSizes() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (String suite : new String[] {"INTL", "INTL-P256", "GM"}) {
      for (int size : new int[] {0, 1, 1024, 1 << 20, 8 << 20}) {
        b.add(Arguments.of(suite, size));
      }
    }
    return b.build();
  }

  static PartyIdentity[] pair(String suite) {
    return suite.equals("INTL-P256") ? TestParties.p256Pair() : TestParties.pair(Suite.valueOf(suite));
  }

  @ParameterizedTest(name = "{0} {1} bytes")
  @MethodSource("suitesAndSizes")
  void open_sealedPayload_returnsSamePayloadAndHeader(String suite, int size) throws Exception {
    PartyIdentity[] p = pair(suite);
    byte[] payload = new byte[size];
    new Random(size).nextBytes(payload);
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).build();
    EnvelopeOpener opener =
        EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).build();

    SealedEnvelope sealed =
        sealer.seal(
            SealRequest.builder()
                .recipient(p[1].encryptionCertificate())
                .resource("HOUSING-001")
                .purpose("social-assistance-review")
                .contentType("application/json")
                .build(),
            payload);
    OpenedEnvelope opened = opener.open(sealed.toByteArray());

    assertThat(opened.payload()).isEqualTo(payload);
    assertThat(opened.header()).isEqualTo(sealed.header());
    assertThat(opened.header().sender()).isEqualTo(p[0].party());
    assertThat(opened.header().receiver()).isEqualTo(p[1].party());
    assertThat(opened.signer()).isEqualTo(p[0].signingCertificate());
  }
}
