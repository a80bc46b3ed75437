package io.shulian.core.trust;

import static io.shulian.core.trust.TestCa.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.TestParties;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CityTrustTest {
  @TempDir static Path caDirs;
  private static final Map<Suite, TestCa> CAS = new EnumMap<>(Suite.class);
  private static final Map<Suite, TestCa> OTHER = new EnumMap<>(Suite.class);
  private static final Map<Suite, PartyIdentity> HOUSING = new EnumMap<>(Suite.class);

  static synchronized TestCa ca(Suite s) {
    return CAS.computeIfAbsent(s, x -> TestCa.create(caDirs, x, "Test City Root " + x));
  }

  static synchronized TestCa other(Suite s) {
    return OTHER.computeIfAbsent(s, x -> TestCa.create(caDirs, x, "Other Root " + x));
  }

  static synchronized PartyIdentity housing(Suite s) throws Exception {
    PartyIdentity p = HOUSING.get(s);
    if (p == null) {
      p = ca(s).issue(TestParties.HOUSING, T0, Duration.ofDays(30));
      HOUSING.put(s, p);
    }
    return p;
  }

  private static CityTrust trust(Suite s, X509CRL crl) throws Exception {
    return ca(s).trust(crl, housing(s).certificates());
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void validate_issuedCertificates_trustedForTheirUse(Suite s) throws Exception {
    PartyIdentity p = housing(s);
    CityTrust t = trust(s, ca(s).crl(T0, Duration.ofHours(24)));
    Instant at = T0.plus(Duration.ofHours(1));
    assertThat(t.validate(p.signingCertificate(), KeyUse.SIGN, at)).isEqualTo(p.signingCertificate());
    assertThat(t.validate(p.encryptionCertificate(), KeyUse.ENCRYPT, at)).isEqualTo(p.encryptionCertificate());
    assertThat(t.validate(p.tlsCertificate().orElseThrow(), KeyUse.TLS, at)).isNotNull();
    assertThat(t.signer(p.signingCertificate().keyId(), TestParties.HOUSING, at)).isEqualTo(p.signingCertificate());
    // cached path gives the same answer
    assertThat(t.validate(p.signingCertificate(), KeyUse.SIGN, at)).isEqualTo(p.signingCertificate());
    assertThat(p.signingCertificate().suite()).isEqualTo(s);
    assertThat(p.tlsCertificate().orElseThrow().algorithm().name()).isEqualTo("P256");
  }

  private static void assertReason(ThrowingRunnable r, TrustException.Reason reason) {
    assertThatThrownBy(r::run).isInstanceOf(TrustException.class)
        .satisfies(e -> assertThat(((TrustException) e).reason()).isEqualTo(reason));
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void validate_afterNotAfter_expired(Suite s) throws Exception {
    CityTrust t = trust(s, ca(s).crl(T0.plus(Duration.ofDays(31)), Duration.ofHours(24)));
    assertReason(() -> t.validate(housing(s).signingCertificate(), KeyUse.SIGN, T0.plus(Duration.ofDays(31))),
        TrustException.Reason.EXPIRED);
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void validate_beforeNotBefore_notYetValid(Suite s) throws Exception {
    CityTrust t = trust(s, ca(s).crl(T0, Duration.ofHours(24)));
    assertReason(() -> t.validate(housing(s).signingCertificate(), KeyUse.SIGN, T0.minus(Duration.ofHours(1))),
        TrustException.Reason.NOT_YET_VALID);
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void validate_certificateOfAnotherCa_unknownIssuer(Suite s) throws Exception {
    PartyIdentity stranger = other(s).issue(TestParties.HOUSING, T0, Duration.ofDays(30));
    CityTrust t = trust(s, ca(s).crl(T0, Duration.ofHours(24)));
    assertReason(() -> t.validate(stranger.signingCertificate(), KeyUse.SIGN, T0.plusSeconds(60)),
        TrustException.Reason.UNKNOWN_ISSUER);
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void validate_selfSignedCertificate_unknownIssuer(Suite s) throws Exception {
    PartyIdentity self = TestParties.pair(s)[0];
    CityTrust t = trust(s, ca(s).crl(T0, Duration.ofHours(24)));
    assertReason(() -> t.validate(self.signingCertificate(), KeyUse.SIGN, Instant.now()),
        TrustException.Reason.UNKNOWN_ISSUER);
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void validate_revokedCertificate_revoked(Suite s) throws Exception {
    TestCa ca = TestCa.create(caDirs, s, "Revoking Root");
    PartyIdentity p = ca.issue(TestParties.CIVIL, T0, Duration.ofDays(30));
    CityTrust before = ca.trust(ca.crl(T0, Duration.ofHours(24)), p.certificates());
    Instant at = T0.plus(Duration.ofHours(2));
    before.validate(p.signingCertificate(), KeyUse.SIGN, at);

    assertThat(ca.at(T0.plus(Duration.ofHours(1)))
        .revoke(p.signingCertificate().certificate().getSerialNumber(), RevocationReason.KEY_COMPROMISE)).isTrue();
    assertThat(ca.at(T0.plus(Duration.ofHours(1)))
        .revoke(p.signingCertificate().certificate().getSerialNumber(), RevocationReason.KEY_COMPROMISE)).isFalse();
    CityTrust after = ca.trust(ca.crl(T0.plus(Duration.ofHours(1)), Duration.ofHours(24)), p.certificates());

    assertReason(() -> after.validate(p.signingCertificate(), KeyUse.SIGN, at), TrustException.Reason.REVOKED);
    assertThat(after.validate(p.encryptionCertificate(), KeyUse.ENCRYPT, at)).isNotNull();
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void validate_encryptionCertificateForSigning_wrongUsage(Suite s) throws Exception {
    CityTrust t = trust(s, ca(s).crl(T0, Duration.ofHours(24)));
    Instant at = T0.plusSeconds(60);
    assertReason(() -> t.validate(housing(s).encryptionCertificate(), KeyUse.SIGN, at), TrustException.Reason.WRONG_USAGE);
    assertReason(() -> t.validate(housing(s).tlsCertificate().orElseThrow(), KeyUse.SIGN, at),
        TrustException.Reason.WRONG_USAGE);
    assertReason(() -> t.validate(housing(s).signingCertificate(), KeyUse.TLS, at), TrustException.Reason.WRONG_USAGE);
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void signer_otherClaimedParty_partyMismatch(Suite s) throws Exception {
    CityTrust t = trust(s, ca(s).crl(T0, Duration.ofHours(24)));
    assertReason(() -> t.signer(housing(s).signingCertificate().keyId(), TestParties.CIVIL, T0.plusSeconds(60)),
        TrustException.Reason.PARTY_MISMATCH);
    assertReason(() -> t.signer(TestParties.pair(s)[1].signingCertificate().keyId(), TestParties.CIVIL, T0.plusSeconds(60)),
        TrustException.Reason.UNKNOWN_KEY);
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void validate_crlPastNextUpdate_usedInGraceThenStale(Suite s) throws Exception {
    CityTrust t = CityTrust.builder().roots(List.of(ca(s).ca.root()))
        .crls(List.of(ca(s).crl(T0, Duration.ofHours(24))))
        .crlGracePeriod(Duration.ofHours(2)).build();
    PartyCertificate c = housing(s).signingCertificate();
    t.validate(c, KeyUse.SIGN, T0.plus(Duration.ofHours(23)));
    Instant inGrace = T0.plus(Duration.ofHours(25));
    assertThat(t.validate(c, KeyUse.SIGN, inGrace)).isEqualTo(c);
    assertThat(t.crlStatus(inGrace)).singleElement()
        .satisfies(st -> {
          assertThat(st.state()).isEqualTo(CrlStatus.State.IN_GRACE);
          assertThat(st.overdue()).isEqualTo(Duration.ofHours(1));
          assertThat(st.age()).isEqualTo(Duration.ofHours(25));
        });
    Instant stale = T0.plus(Duration.ofHours(26)).plusSeconds(1);
    assertReason(() -> t.validate(c, KeyUse.SIGN, stale), TrustException.Reason.STALE_CRL);
    assertThat(t.crlStatus(stale).get(0).state()).isEqualTo(CrlStatus.State.STALE);
    assertThat(t.crlStatus(T0).get(0).state()).isEqualTo(CrlStatus.State.FRESH);
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void validate_noCrl_staleCrlUnlessAllowed(Suite s) throws Exception {
    PartyCertificate c = housing(s).signingCertificate();
    CityTrust strict = CityTrust.builder().roots(List.of(ca(s).ca.root())).build();
    assertReason(() -> strict.validate(c, KeyUse.SIGN, T0.plusSeconds(60)), TrustException.Reason.STALE_CRL);
    CityTrust lax = CityTrust.builder().roots(List.of(ca(s).ca.root())).allowMissingCrl().build();
    assertThat(lax.validate(c, KeyUse.SIGN, T0.plusSeconds(60))).isEqualTo(c);
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void build_crlSignedByAnotherCa_badTrustMaterial(Suite s) throws Exception {
    X509CRL foreign = other(s).crl(T0, Duration.ofHours(24));
    assertReason(() -> CityTrust.builder().roots(List.of(ca(s).ca.root())).crls(List.of(foreign)).build(),
        TrustException.Reason.BAD_TRUST_MATERIAL);
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void build_leafAsRoot_badTrustMaterial(Suite s) throws Exception {
    assertReason(() -> CityTrust.builder().roots(List.of(housing(s).signingCertificate().certificate())).build(),
        TrustException.Reason.BAD_TRUST_MATERIAL);
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void validate_certificateOfOtherSuiteUnderRoot_wrongUsage(Suite s) throws Exception {
    Suite otherSuite = s == Suite.GM ? Suite.INTL : Suite.GM;
    // a GM party certificate checked against an INTL root (and vice versa) never chains
    CityTrust t = trust(s, ca(s).crl(T0, Duration.ofHours(24)));
    PartyIdentity foreign = housing(otherSuite);
    assertThatThrownBy(() -> t.validate(foreign.signingCertificate(), KeyUse.SIGN, T0.plusSeconds(60)))
        .isInstanceOf(TrustException.class)
        .satisfies(e -> assertThat(((TrustException) e).reason())
            .isIn(TrustException.Reason.UNKNOWN_ISSUER, TrustException.Reason.WRONG_USAGE));
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void current_twoSigningCertificates_picksNewestValid(Suite s) throws Exception {
    TestCa ca = TestCa.create(caDirs, s, "Rotation Root");
    PartyIdentity old = ca.issue(TestParties.DISTRICT, T0, Duration.ofDays(30));
    PartyIdentity fresh = ca.issue(TestParties.DISTRICT, T0.plus(Duration.ofDays(1)), Duration.ofDays(30));
    List<PartyCertificate> both = new java.util.ArrayList<>(old.certificates());
    both.addAll(fresh.certificates());
    CityTrust t = ca.trust(ca.crl(T0.plus(Duration.ofDays(1)), Duration.ofHours(24)), both);
    Instant at = T0.plus(Duration.ofDays(1)).plusSeconds(600);
    assertThat(t.current(TestParties.DISTRICT, KeyUse.ENCRYPT, at)).isEqualTo(fresh.encryptionCertificate());
    assertThat(t.certificates(TestParties.DISTRICT)).hasSize(6);
  }

  @ParameterizedTest
  @EnumSource(Suite.class)
  void validate_cachedResult_neverOutlivesCrlNextUpdateOrOtherUse(Suite s) throws Exception {
    CityTrust t = CityTrust.builder().roots(List.of(ca(s).ca.root()))
        .crls(List.of(ca(s).crl(T0, Duration.ofHours(24)))).crlGracePeriod(Duration.ZERO).build();
    PartyCertificate c = housing(s).signingCertificate();
    t.validate(c, KeyUse.SIGN, T0.plusSeconds(60));
    t.validate(c, KeyUse.SIGN, T0.plusSeconds(61));
    assertReason(() -> t.validate(c, KeyUse.SIGN, T0.plus(Duration.ofHours(24)).plusSeconds(1)),
        TrustException.Reason.STALE_CRL);
    assertReason(() -> t.validate(c, KeyUse.ENCRYPT, T0.plusSeconds(62)), TrustException.Reason.WRONG_USAGE);
    assertReason(() -> t.validate(c, KeyUse.SIGN, T0.minus(Duration.ofDays(1))), TrustException.Reason.NOT_YET_VALID);
    t.invalidateCache();
    assertThat(t.validate(c, KeyUse.SIGN, T0.plusSeconds(63))).isEqualTo(c);
  }
}
