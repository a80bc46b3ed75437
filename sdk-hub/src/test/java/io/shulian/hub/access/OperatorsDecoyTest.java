package io.shulian.hub.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.hub.access.Operators.Role;
import org.junit.jupiter.api.Test;

/**
 * A failed log-in must take the same work whether the name is known or not: an unknown name is
 * verified against a decoy with the cost of the operators' own hashes, not a fixed default (a
 * stronger operator hash would otherwise tell a known name by its slower answer).
 */
class OperatorsDecoyTest {
  // canonical PHC strings (any salt and hash: only the cost matters here)
  static final String STRONG = "$argon2id$v=19$m=65536,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA";
  static final String STRONG2 = "$argon2id$v=19$m=65536,t=3,p=1$b3RoZXJzYWx0b3RoZXJzYQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA";
  static final String DEFAULTS = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA";

  @Test
  void unknownName_verifiedAgainstTheCostOfTheOperatorsHashes_notTheDefault() {
    Operators ops = Operators.builder().operator("alice", Role.SECURITY_OFFICER, null, STRONG).build();
    assertThat(ops.decoyCost()).isEqualTo(PasswordHash.parse(STRONG).cost()).contains("m=65536,t=3");
    assertThat(ops.login("mallory", "x".toCharArray())).isEmpty();
  }

  @Test
  void mixedCosts_decoyTakesTheCostMostOperatorsHave() {
    Operators ops = Operators.builder()
        .operator("alice", Role.SECURITY_OFFICER, null, STRONG)
        .operator("bob", Role.REVIEWER, null, STRONG2)
        .operator("carol", Role.VIEWER, null, DEFAULTS)
        .build();
    assertThat(ops.decoyCost()).isEqualTo(PasswordHash.parse(STRONG).cost());
  }

  @Test
  void tie_decoyTakesTheCostlierHash() {
    Operators ops = Operators.builder()
        .operator("carol", Role.VIEWER, null, DEFAULTS)
        .operator("alice", Role.SECURITY_OFFICER, null, STRONG)
        .build();
    assertThat(ops.decoyCost()).contains("m=65536,t=3");
  }

  @Test
  void noPasswords_decoyHasTheDefaults() {
    Operators ops = Operators.builder().operator("svc", Role.VIEWER, "a".repeat(64)).build();
    assertThat(ops.decoyCost()).startsWith("m=" + PasswordHash.DEFAULT_MEMORY_KIB + ",t=" + PasswordHash.DEFAULT_ITERATIONS + ",");
  }
}
