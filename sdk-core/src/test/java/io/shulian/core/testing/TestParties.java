package io.shulian.core.testing;

import io.shulian.core.keys.KeyAlgorithm;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/** Made-up parties and their (cached) identities for tests. */
public final class TestParties {
  public static final PartyId HOUSING = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1234H"), "housing");
  public static final PartyId CIVIL = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C5678C"), null);
  public static final PartyId DISTRICT = PartyId.of("440604", CreditCode.withCheckCharacter("11440604MB2C9012D"), null);

  private static final Map<Suite, PartyIdentity[]> CACHE = new EnumMap<>(Suite.class);

  private TestParties() {}

  /** Returns {sender, receiver} identities of the suite, generated once per test JVM. */
  public static synchronized PartyIdentity[] pair(Suite suite) {
    return CACHE.computeIfAbsent(suite, s -> new PartyIdentity[] {
        PartyIdentity.generateSelfSigned(s, HOUSING, Duration.ofDays(30)),
        PartyIdentity.generateSelfSigned(s, CIVIL, Duration.ofDays(30))});
  }

  private static PartyIdentity[] p256;

  /** INTL with ECDSA P-256 signatures and P-256 ECDH. */
  public static synchronized PartyIdentity[] p256Pair() {
    if (p256 == null) {
      p256 = new PartyIdentity[] {
          PartyIdentity.generateSelfSigned(KeyAlgorithm.P256, KeyAlgorithm.P256, HOUSING, Duration.ofDays(30)),
          PartyIdentity.generateSelfSigned(KeyAlgorithm.P256, KeyAlgorithm.P256, CIVIL, Duration.ofDays(30))};
    }
    return p256;
  }
}
