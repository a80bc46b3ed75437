package io.shulian.benchmarks;

import io.shulian.core.keys.KeyAlgorithm;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import java.time.Duration;
import java.util.Random;

/** The algorithm combinations the envelope benchmarks compare, and shared fixtures. */
enum BenchSuite {
  /** Ed25519 signatures, X25519 ECDH-ES, AES-256-GCM: Shulian's INTL default. */
  INTL,
  /** ECDSA P-256 (ES256) signatures, P-256 ECDH-ES, AES-256-GCM. */
  INTL_P256,
  /** SM2-SM3 signatures, SM2 encryption of the content key, SM4-GCM. */
  GM;

  static final PartyId SENDER =
      PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1234H"), "housing");
  static final PartyId RECEIVER =
      PartyId.of("440604", CreditCode.withCheckCharacter("11440604MB2C9012D"), null);
  static final String RESOURCE = "440600.housing/registrations";
  static final String PURPOSE = "social-assistance-review";
  /** Long enough that an envelope sealed at setup stays valid for the whole trial. */
  static final Duration TTL = Duration.ofHours(1);

  /** Generates a fresh identity of this suite with self-signed certificates. */
  PartyIdentity identity(PartyId party) {
    switch (this) {
      case INTL:
        return PartyIdentity.generateSelfSigned(Suite.INTL, party, Duration.ofDays(1));
      case INTL_P256:
        return PartyIdentity.generateSelfSigned(KeyAlgorithm.P256, KeyAlgorithm.P256, party, Duration.ofDays(1));
      case GM:
        return PartyIdentity.generateSelfSigned(Suite.GM, party, Duration.ofDays(1));
    }
    throw new AssertionError(this);
  }

  /** Returns {@code size} deterministic pseudo-random bytes (incompressible, like real data). */
  static byte[] payload(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return b;
  }
}
