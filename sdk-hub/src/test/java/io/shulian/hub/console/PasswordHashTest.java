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

  /**
   * Argon2id known answers of the reference implementation, P-H-C/phc-winner-argon2 src/test.c
   * (the "Argon2id" section: {@code hashtest(version, 2, 16, 1, "password", "somesalt",
   * "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7",
   * "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFd…")} and its neighbours; the same strings are
   * in libar2's test suite), i.e. {@code echo -n password | argon2 somesalt -id -t 2 -m 16 -p 1}.
   * RFC 9106 section 5.3's vector needs a secret and associated data and 32 KiB of memory, which
   * our PHC strings neither carry nor accept, so these (64 MiB, above our 19 MiB floor) stand in.
   */
  @ParameterizedTest
  @ValueSource(strings = {"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=65536,t=1,p=1$c29tZXNhbHQ$9qWtwbpyPd3vm1rB1GThgPzZ3/ydHL92zKL+15XZypg",
      "$argon2id$v=19$m=65536,t=2,p=1$ZGlmZnNhbHQ$vfMrBczELrFdWP0ZsfhWsRPaHppYdP3MVEMIVlqoFBw"})
  void referenceVector_verifies_roundTrips_andRefusesAnotherPassword(String phc) {
    PasswordHash h = PasswordHash.parse(phc);

    assertThat(h.verify("password".toCharArray())).isTrue();
    assertThat(h.phc()).isEqualTo(phc);
    assertThat(PasswordHash.parse(h.phc()).phc()).isEqualTo(phc);
    assertThat(h.verify("passwore".toCharArray())).isFalse();
  }

  @Test
  void referenceVector_differentPassword_matchesOnlyItsOwnHash() {
    // the reference's "differentpassword" vector: same salt and parameters, another hash
    PasswordHash h = PasswordHash.parse(
        "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$C4TWUs9rDEvq7w3+J4umqA32aWKB1+DSiRuBfYxFj94");

    assertThat(h.verify("differentpassword".toCharArray())).isTrue();
    assertThat(h.verify("password".toCharArray())).isFalse();
  }

  /** The reference vector with one thing wrong each time: refused, and the message never repeats the string. */
  @ParameterizedTest
  @ValueSource(strings = {
      // memory one KiB under our floor, and the reference's own m=256 vector
      "$argon2id$v=19$m=19455,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
      // no passes, no lanes, more lanes than memory allows
      "$argon2id$v=19$m=65536,t=0,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=65536,t=2,p=0$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      // other versions (0x10, 0x14), no version, argon2i / argon2d
      "$argon2id$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=20$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+YFY4NeBbtA",
      "$argon2d$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      // bad base64: URL alphabet, padding, an impossible length, a character outside the alphabet
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc_",
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ=$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQAA$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPP*",
      // non-canonical base64: the same bytes with non-zero unused bits (R instead of Q; d instead of c)
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHR$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPd",
      // parameters out of order or repeated, leading zeros, spaces
      "$argon2id$v=19$t=2,m=65536,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=065536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=65536,t=2,p=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
      "$argon2id$v=19$m=65536, t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"})
  void referenceVector_withAWeakOrMalformedPart_refusedWithoutEchoingIt(String phc) {
    assertThatThrownBy(() -> PasswordHash.parse(phc)).isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("c29tZXNhbHQ").doesNotContain("CTFhFd"));
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
