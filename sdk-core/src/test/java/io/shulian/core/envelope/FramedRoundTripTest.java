package io.shulian.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.TestParties;
import io.shulian.core.trust.PinnedSenderTrust;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Round trips of the framed encoding through the byte[] and the stream API, per suite. */
class FramedRoundTripTest {
  static final int SEG = FramedCodec.DEFAULT_SEGMENT_BYTES;

  static Stream<Arguments> suitesAndSizes() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (String suite : new String[] {"INTL", "INTL-P256", "GM"}) {
      for (int size : new int[] {0, 1, SEG - 1, SEG, SEG + 1, 1 << 20, (8 << 20) + 3}) {
        b.add(Arguments.of(suite, size));
      }
    }
    return b.build();
  }

  static PartyIdentity[] pair(String suite) {
    return suite.equals("INTL-P256") ? TestParties.p256Pair() : TestParties.pair(Suite.valueOf(suite));
  }

  static SealRequest request(PartyIdentity to, EnvelopeEncoding encoding) {
    return SealRequest.builder()
        .recipient(to.encryptionCertificate())
        .resource("HOUSING-001")
        .purpose("social-assistance-review")
        .contentType("application/json")
        .encoding(encoding)
        .build();
  }

  static EnvelopeOpener opener(PartyIdentity[] p) {
    return EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).build();
  }

  @ParameterizedTest(name = "{0} {1} bytes")
  @MethodSource("suitesAndSizes")
  void open_framedByteArray_returnsSamePayloadAndHeader(String suite, int size) throws Exception {
    PartyIdentity[] p = pair(suite);
    byte[] payload = new byte[size];
    new Random(size).nextBytes(payload);
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).build();

    SealedEnvelope sealed = sealer.seal(request(p[1], EnvelopeEncoding.FRAMED), payload);
    OpenedEnvelope opened = opener(p).open(sealed.toByteArray());

    assertThat(sealed.encoding()).isEqualTo(EnvelopeEncoding.FRAMED);
    assertThat(sealed.toByteArray()[0]).isEqualTo((byte) 0x89);
    assertThat(opened.payload()).isEqualTo(payload);
    assertThat(opened.header()).isEqualTo(sealed.header());
    assertThat(opened.signer()).isEqualTo(p[0].signingCertificate());
  }

  @ParameterizedTest(name = "{0} {1} bytes")
  @MethodSource("suitesAndSizes")
  void openStream_sealStream_returnsSamePayloadAndHeader(String suite, int size) throws Exception {
    PartyIdentity[] p = pair(suite);
    byte[] payload = new byte[size];
    new Random(size + 1).nextBytes(payload);
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).build();
    ByteArrayOutputStream envelope = new ByteArrayOutputStream();

    EnvelopeHeader sealed =
        sealer.sealStream(request(p[1], EnvelopeEncoding.COMPACT), new ByteArrayInputStream(payload), envelope);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    EnvelopeHeader opened = opener(p).openStream(new ByteArrayInputStream(envelope.toByteArray()), out);

    assertThat(out.toByteArray()).isEqualTo(payload);
    assertThat(opened).isEqualTo(sealed);
  }

  @Test
  void open_sealStreamOutputAsByteArray_opensLikeSealByteArray() throws Exception {
    PartyIdentity[] p = pair("INTL");
    byte[] payload = new byte[3 * SEG + 17];
    new Random(7).nextBytes(payload);
    ByteArrayOutputStream envelope = new ByteArrayOutputStream();
    EnvelopeSealer.builder(p[0]).build()
        .sealStream(request(p[1], EnvelopeEncoding.FRAMED), new ByteArrayInputStream(payload), envelope);
    byte[] viaArray =
        EnvelopeSealer.builder(p[0]).build().seal(request(p[1], EnvelopeEncoding.FRAMED), payload).toByteArray();

    assertThat(opener(p).open(envelope.toByteArray()).payload()).isEqualTo(payload);
    assertThat(envelope.size()).isEqualTo(viaArray.length);
  }

  @Test
  void openStream_byteArraySeal_returnsPayload() throws Exception {
    PartyIdentity[] p = pair("GM");
    byte[] payload = new byte[2 * SEG];
    new Random(8).nextBytes(payload);
    byte[] env = EnvelopeSealer.builder(p[0]).build().seal(request(p[1], EnvelopeEncoding.FRAMED), payload)
        .toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    opener(p).openStream(new ByteArrayInputStream(env), out);

    assertThat(out.toByteArray()).isEqualTo(payload);
  }

  @ParameterizedTest
  @MethodSource("segmentSizes")
  void open_customSegmentSize_returnsPayload(int seg) throws Exception {
    PartyIdentity[] p = pair("INTL-P256");
    byte[] payload = new byte[5 * seg + 100];
    new Random(seg).nextBytes(payload);
    SealedEnvelope sealed =
        EnvelopeSealer.builder(p[0]).framedSegmentBytes(seg).build().seal(request(p[1], EnvelopeEncoding.FRAMED),
            payload);

    assertThat(opener(p).open(sealed.toByteArray()).payload()).isEqualTo(payload);
  }

  static Stream<Integer> segmentSizes() {
    return Stream.of(FramedCodec.MIN_SEGMENT_BYTES, 10_000, FramedCodec.MAX_SEGMENT_BYTES);
  }

  @Test
  void open_compactAndFramedFromOneSealer_bothOpen() throws Exception {
    PartyIdentity[] p = pair("INTL");
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).build();
    EnvelopeOpener opener = opener(p);
    byte[] payload = {1, 2, 3};

    SealedEnvelope compact = sealer.seal(request(p[1], EnvelopeEncoding.COMPACT), payload);
    SealedEnvelope framed = sealer.seal(request(p[1], EnvelopeEncoding.FRAMED), payload);

    assertThat(compact.encoding()).isEqualTo(EnvelopeEncoding.COMPACT);
    assertThat(compact.toCompactString()).startsWith("eyJ");
    assertThat(opener.open(compact.toByteArray()).payload()).isEqualTo(payload);
    assertThat(opener.open(framed.toByteArray()).payload()).isEqualTo(payload);
  }

  @ParameterizedTest
  @MethodSource("ecdhSuites")
  void open_framedWithEphemeralKeyReuse_opensWithOwnApuPerEnvelope(String suite) throws Exception {
    PartyIdentity[] p = pair(suite);
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).reuseEphemeralKeys(java.time.Duration.ofMinutes(1), 100)
        .build();
    EnvelopeOpener opener = opener(p);
    byte[] payload = new byte[SEG + 5];
    new Random(9).nextBytes(payload);

    byte[] a = sealer.seal(request(p[1], EnvelopeEncoding.FRAMED), payload).toByteArray();
    byte[] b = sealer.seal(request(p[1], EnvelopeEncoding.FRAMED), payload).toByteArray();
    byte[] compact = sealer.seal(request(p[1], EnvelopeEncoding.COMPACT), payload).toByteArray();

    com.fasterxml.jackson.databind.node.ObjectNode ha = outer(a);
    com.fasterxml.jackson.databind.node.ObjectNode hb = outer(b);
    assertThat(ha.get("epk")).isEqualTo(hb.get("epk"));
    assertThat(ha.get("apu").textValue()).isNotEqualTo(hb.get("apu").textValue());
    assertThat(opener.open(a).payload()).isEqualTo(payload);
    assertThat(opener.open(b).payload()).isEqualTo(payload);
    assertThat(opener.open(compact).payload()).isEqualTo(payload);
  }

  static Stream<String> ecdhSuites() {
    return Stream.of("INTL", "INTL-P256");
  }

  static com.fasterxml.jackson.databind.node.ObjectNode outer(byte[] framed) {
    int l = ((framed[5] & 0xff) << 8) | (framed[6] & 0xff);
    return EnvelopeForge.parse(java.util.Arrays.copyOfRange(framed, 7, 7 + l));
  }
}
