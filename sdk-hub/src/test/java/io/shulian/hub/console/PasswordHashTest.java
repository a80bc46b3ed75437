package io.shulian.hub.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.hub.access.Operators;
import io.shulian.hub.access.PasswordHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordHashTest {
  @Test
  void create_isArgon2idPhc_atLeast19MiB_andVerifies() {
    PasswordHash h = PasswordHash.create("correct horse".toCharArray());
    assertThat(h.phc()).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    assertThat(PasswordHash.parse(h.phc()).verify("correct horse".toCharArray())).isTrue();
    assertThat(h.verify("correct horsf".toCharArray())).isFalse();
    assertThat(h.toString()).doesNotContain(h.phc().substring(30));
  }

  @Test
  void unicodePassword_roundTripsThroughThePhcString() {
    PasswordHash h = PasswordHash.create("pässwörd 密码".toCharArray());
    assertThat(PasswordHash.parse(h.phc()).verify("pässwörd 密码".toCharArray())).isTrue();
    assertThat(PasswordHash.parse(h.phc()).verify("passwort 密码".toCharArray())).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "plain", "$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA",
      "$argon2id$v=16$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA",
      "$argon2id$v=19$m=4096,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA",
      "$argon2id$v=19$m=9999999,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA",
      "$argon2id$v=19$m=19456,t=0,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA",
      "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA$extra",
      "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdAA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaAAAA"})
  void parse_refusesWeakOrMalformed_withoutEchoingIt(String phc) {
    assertThatThrownBy(() -> PasswordHash.parse(phc)).isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("c29tZXNhbHRz"));
  }

  @Test
  void operators_login_unknownNameTokenOnlyAndWrongPassword_allEmpty() {
    Operators ops = Operators.builder()
        .operator("alice", Operators.Role.SECURITY_OFFICER, "a".repeat(64), PasswordHash.create("alice-pw-123".toCharArray()).phc())
        .operator("carol", Operators.Role.REVIEWER, "b".repeat(64))
        .operator("vera", Operators.Role.VIEWER, null, PasswordHash.create("vera-pw-12345".toCharArray()).phc())
        .build();
    assertThat(ops.login("alice", "alice-pw-123".toCharArray())).contains(
        new Operators.Operator("alice", Operators.Role.SECURITY_OFFICER));
    assertThat(ops.login("alice", "alice-pw-124".toCharArray())).isEmpty();
    assertThat(ops.login("nobody", "alice-pw-123".toCharArray())).isEmpty();
    assertThat(ops.login("carol", "anything-at-all".toCharArray())).isEmpty();
    assertThat(ops.login("vera", "vera-pw-12345".toCharArray()).orElseThrow().role()).isEqualTo(Operators.Role.VIEWER);
    // a password-only operator has no bearer token
    assertThat(ops.authenticate("")).isEmpty();
  }

  @Test
  void operators_needATokenOrAPassword_andAValidLogInName() {
    assertThatThrownBy(() -> Operators.builder().operator("x", Operators.Role.VIEWER, null, null))
        .hasMessageContaining("tokenSha256, passwordHash or both");
    String phc = PasswordHash.create("some-password".toCharArray()).phc();
    assertThatThrownBy(() -> Operators.builder().operator("a b<script>", Operators.Role.VIEWER, null, phc))
        .hasMessageContaining("log-in name");
    assertThat(Operators.Role.parse("viewer")).isEqualTo(Operators.Role.VIEWER);
    assertThat(Operators.Role.VIEWER.configName()).isEqualTo("viewer");
    assertThat(Operators.Role.SECURITY_OFFICER.configName()).isEqualTo("security-officer");
  }
}
