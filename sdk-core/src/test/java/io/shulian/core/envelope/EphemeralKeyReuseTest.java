package io.shulian.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.PinnedSenderTrust;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link EnvelopeSealer.Builder#reuseEphemeralKeys}: one ECDH-ES ephemeral key, a content key per envelope. */
class EphemeralKeyReuseTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static SealRequest request(PartyIdentity to) {
    return EnvelopeForge.request(to);
  }

  private static ObjectNode jweHeader(byte[] compact) throws Exception {
    String s = new String(compact, StandardCharsets.US_ASCII);
    return (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(s.substring(0, s.indexOf('.'))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"INTL", "INTL-P256"})
  void seal_withReuse_sharesEpkButSendsFreshApuAndAllOpen(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).reuseEphemeralKeys(Duration.ofMinutes(5), 1000).build();
    EnvelopeOpener opener = EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).build();
    Set<JsonNode> epks = new HashSet<>();
    Set<String> apus = new HashSet<>();
    Set<String> ciphertexts = new HashSet<>();
    byte[] payload = "{\"same\":\"payload\"}".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 20; i++) {
      byte[] sealed = sealer.seal(request(p[1]), payload).toByteArray();
      ObjectNode h = jweHeader(sealed);
      epks.add(h.get("epk"));
      apus.add(h.get("apu").textValue());
      assertThat(Base64.getUrlDecoder().decode(h.get("apu").textValue())).hasSize(16);
      String s = new String(sealed, StandardCharsets.US_ASCII);
      ciphertexts.add(s.substring(s.lastIndexOf('.', s.lastIndexOf('.') - 1)));
      assertThat(opener.open(sealed).payload()).isEqualTo(payload);
    }
    assertThat(epks).hasSize(1);
    assertThat(apus).hasSize(20);
    assertThat(ciphertexts).hasSize(20);
  }

  @Test
  void seal_withoutReuse_sendsNoApuAndFreshEpk() throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair("INTL");
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).build();
    Set<JsonNode> epks = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      ObjectNode h = jweHeader(sealer.seal(request(p[1]), new byte[1]).toByteArray());
      assertThat(h.has("apu")).isFalse();
      epks.add(h.get("epk"));
    }
    assertThat(epks).hasSize(5);
  }

  @Test
  void seal_afterMaxUses_generatesNewEphemeralKey() throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair("INTL");
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).reuseEphemeralKeys(Duration.ofMinutes(5), 3).build();
    Set<JsonNode> epks = new HashSet<>();
    for (int i = 0; i < 9; i++) {
      epks.add(jweHeader(sealer.seal(request(p[1]), new byte[1]).toByteArray()).get("epk"));
    }
    assertThat(epks).hasSize(3);
  }

  @Test
  void seal_perRecipient_usesSeparateEphemeralKeys() throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair("INTL");
    PartyIdentity other = EnvelopeForge.third("INTL");
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).reuseEphemeralKeys(Duration.ofMinutes(5), 100).build();
    JsonNode toP = jweHeader(sealer.seal(request(p[1]), new byte[1]).toByteArray()).get("epk");
    JsonNode toQ = jweHeader(sealer.seal(request(other), new byte[1]).toByteArray()).get("epk");
    assertThat(toP).isNotEqualTo(toQ);
  }

  @Test
  void seal_gmWithReuse_sharesOneEncryptedSeedWithFreshApuAndAllOpen() throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair("GM");
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).reuseEphemeralKeys(Duration.ofMinutes(5), 100).build();
    EnvelopeOpener opener = EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).build();
    Set<String> encryptedKeys = new HashSet<>();
    Set<String> apus = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      byte[] payload = {(byte) i};
      byte[] sealed = sealer.seal(request(p[1]), payload).toByteArray();
      ObjectNode h = jweHeader(sealed);
      assertThat(h.get("alg").textValue()).isEqualTo("SM2-PKE-KDF");
      assertThat(h.has("epk")).isFalse();
      apus.add(h.get("apu").textValue());
      String ek = EnvelopeForge.parts(sealed)[1];
      assertThat(Base64.getUrlDecoder().decode(ek)).hasSize(65 + 32 + 32);
      encryptedKeys.add(ek);
      assertThat(opener.open(sealed).payload()).isEqualTo(payload);
    }
    assertThat(encryptedKeys).hasSize(1);
    assertThat(apus).hasSize(10);
  }

  @Test
  void seal_gmWithReuse_framedEnvelopesOpenToo() throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair("GM");
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).reuseEphemeralKeys(Duration.ofMinutes(5), 100).build();
    EnvelopeOpener opener = EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).build();
    SealRequest framed = SealRequest.builder().recipient(p[1].encryptionCertificate()).resource("HOUSING-001")
        .purpose("social-assistance-review").encoding(EnvelopeEncoding.FRAMED).build();
    for (int i = 0; i < 3; i++) {
      byte[] payload = new byte[100_000 + i];
      payload[i] = 9;
      assertThat(opener.open(sealer.seal(framed, payload).toByteArray()).payload()).isEqualTo(payload);
    }
  }

  @Test
  void seal_gmWithoutReuse_staysPlainSm2Pke() throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair("GM");
    byte[] sealed = EnvelopeSealer.builder(p[0]).build().seal(request(p[1]), new byte[] {7}).toByteArray();
    ObjectNode h = jweHeader(sealed);
    assertThat(h.get("alg").textValue()).isEqualTo("SM2-PKE");
    assertThat(h.has("apu")).isFalse();
    assertThat(Base64.getUrlDecoder().decode(EnvelopeForge.parts(sealed)[1])).hasSize(65 + 32 + 16);
  }

  @Test
  void open_gmSeededAlgWithoutApu_failsDecryption() throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair("GM");
    byte[] sealed = EnvelopeSealer.builder(p[0]).reuseEphemeralKeys(Duration.ofMinutes(5), 100).build()
        .seal(request(p[1]), new byte[1]).toByteArray();
    ObjectNode h = jweHeader(sealed);
    h.remove("apu");
    String s = new String(sealed, StandardCharsets.US_ASCII);
    byte[] forged = (Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(h))
        + s.substring(s.indexOf('.'))).getBytes(StandardCharsets.US_ASCII);
    EnvelopeOpener opener = EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).build();
    assertThatThrownBy(() -> opener.open(forged))
        .isInstanceOf(DecryptionFailedException.class)
        .hasMessageContaining("apu");
  }

  @Test
  void open_gmSeededAlgAtAnIntlRecipient_isDisallowed() throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair("INTL");
    byte[] sealed = EnvelopeSealer.builder(p[0]).build().seal(request(p[1]), new byte[1]).toByteArray();
    ObjectNode h = jweHeader(sealed);
    h.put("alg", "SM2-PKE-KDF");
    String s = new String(sealed, StandardCharsets.US_ASCII);
    byte[] forged = (Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(h))
        + s.substring(s.indexOf('.'))).getBytes(StandardCharsets.US_ASCII);
    EnvelopeOpener opener = EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).build();
    assertThatThrownBy(() -> opener.open(forged)).isInstanceOf(DisallowedAlgorithmException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"INTL", "GM"})
  void open_apuReplaced_failsDecryption(String suite) throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair(suite);
    EnvelopeSealer sealer = EnvelopeSealer.builder(p[0]).reuseEphemeralKeys(Duration.ofMinutes(5), 100).build();
    EnvelopeOpener opener = EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).build();
    byte[] a = sealer.seal(request(p[1]), new byte[] {1}).toByteArray();
    byte[] b = sealer.seal(request(p[1]), new byte[] {2}).toByteArray();
    // b's body under a's header (same epk or SM2 seed, a's apu): the content key and the AAD no longer match
    String sa = new String(a, StandardCharsets.US_ASCII);
    String sb = new String(b, StandardCharsets.US_ASCII);
    byte[] spliced = (sa.substring(0, sa.indexOf('.')) + sb.substring(sb.indexOf('.'))).getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> opener.open(spliced)).isInstanceOf(DecryptionFailedException.class);
    assertThat(opener.open(b).payload()).containsExactly(2);
  }

  @Test
  void open_apuLongerThan64Bytes_isMalformed() throws Exception {
    PartyIdentity[] p = EnvelopeForge.pair("INTL");
    byte[] sealed = EnvelopeSealer.builder(p[0]).build().seal(request(p[1]), new byte[1]).toByteArray();
    ObjectNode h = jweHeader(sealed);
    h.put("apu", Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[65]));
    String s = new String(sealed, StandardCharsets.US_ASCII);
    byte[] forged = (Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(h))
        + s.substring(s.indexOf('.'))).getBytes(StandardCharsets.US_ASCII);
    EnvelopeOpener opener = EnvelopeOpener.builder(p[1], PinnedSenderTrust.of(p[0].certificates())).build();
    assertThatThrownBy(() -> opener.open(forged))
        .isInstanceOf(MalformedEnvelopeException.class)
        .hasMessageContaining("apu");
  }

  @Test
  void reuseEphemeralKeys_outOfRange_isRefused() {
    PartyIdentity[] p = EnvelopeForge.pair("INTL");
    assertThatThrownBy(() -> EnvelopeSealer.builder(p[0]).reuseEphemeralKeys(Duration.ZERO, 10))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EnvelopeSealer.builder(p[0]).reuseEphemeralKeys(Duration.ofHours(2), 10))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EnvelopeSealer.builder(p[0]).reuseEphemeralKeys(Duration.ofMinutes(1), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
