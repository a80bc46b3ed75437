package io.shulian.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.spring.boot.testing.LoopbackCity;
import io.shulian.core.envelope.EnvelopeOpener;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.ReplayCache;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.policy.PolicyEngine;
import io.shulian.spring.boot.ShulianConfigurationException.Problem;
import io.shulian.spring.boot.actuate.ShulianActuatorAutoConfiguration;
import io.shulian.spring.boot.actuate.ShulianHealthIndicator;
import io.shulian.spring.boot.client.ShulianGatewayClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The auto-configuration with ApplicationContextRunner: what each set of properties gives, and every refusal. */
class ShulianAutoConfigurationTest {
  static final String PASSWORD = "correct horse battery staple";

  @TempDir Path dir;
  Path keystore;
  Path passwordFile;
  Path peerPem;
  PartyIdentity civil;
  PartyIdentity housing;
  final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ShulianAutoConfiguration.class, ShulianActuatorAutoConfiguration.class,
          io.shulian.spring.boot.actuate.ShulianMetersAutoConfiguration.class));

  @BeforeEach
  void keys() throws Exception {
    civil = PartyIdentity.generateSelfSigned(Suite.INTL, LoopbackCity.CIVIL, Duration.ofDays(30));
    housing = PartyIdentity.generateSelfSigned(Suite.INTL, LoopbackCity.HOUSING, Duration.ofDays(30));
    keystore = dir.resolve("key.p12");
    civil.store(keystore, PASSWORD.toCharArray());
    passwordFile = dir.resolve("password");
    Files.writeString(passwordFile, PASSWORD + "\n");
    peerPem = dir.resolve("housing.pem");
    Files.writeString(peerPem, PartyCertificate.toPem(housing.certificates()));
  }

  ApplicationContextRunner configured(String... more) {
    return runner.withPropertyValues("shulian.identity.keystore=" + keystore,
        "shulian.identity.password-file=" + passwordFile,
        "shulian.trust.certificates=" + peerPem).withPropertyValues(more);
  }

  static ShulianConfigurationException failure(AssertableApplicationContext ctx) {
    assertThat(ctx).hasFailed();
    Throwable t = ctx.getStartupFailure();
    while (t != null && !(t instanceof ShulianConfigurationException)) {
      t = t.getCause();
    }
    assertThat(t).as("a ShulianConfigurationException in %s", ctx.getStartupFailure()).isNotNull();
    return (ShulianConfigurationException) t;
  }

  static FailureAnalysis analysis(AssertableApplicationContext ctx) {
    FailureAnalysis a = new ShulianFailureAnalyzer().analyze(ctx.getStartupFailure());
    assertThat(a).isNotNull();
    return a;
  }

  @Test
  void nothingConfigured_noShulianBeans() {
    runner.run(ctx -> {
      assertThat(ctx).hasNotFailed();
      assertThat(ctx).doesNotHaveBean(EnvelopeSealer.class).doesNotHaveBean(ShulianGatewayClient.class)
          .doesNotHaveBean(PolicyEngine.class);
    });
  }

  @Test
  void keystoreAndPinnedTrust_giveSealerOpenerAndIdentity() {
    configured().run(ctx -> {
      assertThat(ctx).hasSingleBean(EnvelopeSealer.class).hasSingleBean(EnvelopeOpener.class)
          .hasSingleBean(ReplayCache.class).hasSingleBean(ShulianTrust.class);
      assertThat(ctx.getBean(PartyIdentity.class).party()).isEqualTo(LoopbackCity.CIVIL);
      assertThat(ctx.getBean(ShulianTrust.class).encryptionCertificate(LoopbackCity.HOUSING))
          .isEqualTo(housing.encryptionCertificate());
    });
  }

  @Test
  void wrongKeystorePassword_failsWithWrongPasswordAnalysis_withoutThePassword() throws Exception {
    Files.writeString(passwordFile, "not-the-password\n");
    configured().run(ctx -> {
      assertThat(failure(ctx).problem()).isEqualTo(Problem.WRONG_KEYSTORE_PASSWORD);
      FailureAnalysis a = analysis(ctx);
      assertThat(a.getDescription()).contains("password does not open").contains(keystore.toString())
          .doesNotContain("not-the-password");
      assertThat(a.getAction()).contains("shulian.identity.password-env").contains("SHULIAN_KEY_PASSWORD");
    });
  }

  @Test
  void damagedKeystore_failsAsUnreadable_notAsWrongPassword() throws Exception {
    Files.write(keystore, new byte[] {0x30, 0x03, 0x02, 0x01, 0x03});
    configured().run(ctx -> assertThat(failure(ctx).problem()).isEqualTo(Problem.KEYSTORE_UNREADABLE));
  }

  @Test
  void missingKeystoreFile_failsAsUnreadable() {
    configured("shulian.identity.keystore=" + dir.resolve("absent.p12"))
        .run(ctx -> assertThat(failure(ctx).problem()).isEqualTo(Problem.KEYSTORE_UNREADABLE));
  }

  @Test
  void noTrust_failsWithMissingTrustAnalysis() {
    runner.withPropertyValues("shulian.identity.keystore=" + keystore, "shulian.identity.password-file=" + passwordFile)
        .run(ctx -> {
          assertThat(failure(ctx).problem()).isEqualTo(Problem.MISSING_TRUST);
          assertThat(analysis(ctx).getAction()).contains("shulian.trust.certificates").contains("shulian.trust.bundle");
        });
  }

  @Test
  void bundleWithoutRoot_failsWithMissingTrust() {
    runner.withPropertyValues("shulian.identity.keystore=" + keystore, "shulian.identity.password-file=" + passwordFile,
        "shulian.trust.bundle=" + dir.resolve("bundle.jws"))
        .run(ctx -> assertThat(failure(ctx).problem()).isEqualTo(Problem.MISSING_TRUST));
  }

  @Test
  void pinnedAndBundleTogether_failsAsInvalidSetting() {
    configured("shulian.trust.root=" + peerPem, "shulian.trust.bundle=" + dir.resolve("bundle.jws"))
        .run(ctx -> assertThat(failure(ctx).problem()).isEqualTo(Problem.INVALID_SETTING));
  }

  @Test
  void trustFileNotPem_failsAsBadTrust() throws Exception {
    Files.writeString(peerPem, "not a certificate");
    configured().run(ctx -> assertThat(failure(ctx).problem()).isEqualTo(Problem.BAD_TRUST));
  }

  @Test
  void passwordEnvironmentVariableUnset_failsNamingTheVariable() {
    runner.withPropertyValues("shulian.identity.keystore=" + keystore,
        "shulian.identity.password-env=SHULIAN_STARTER_TEST_UNSET_VARIABLE", "shulian.trust.certificates=" + peerPem)
        .run(ctx -> {
          ShulianConfigurationException e = failure(ctx);
          assertThat(e.problem()).isEqualTo(Problem.MISSING_SECRET);
          assertThat(e.getMessage()).contains("SHULIAN_STARTER_TEST_UNSET_VARIABLE");
        });
  }

  @Test
  void passwordAsPropertyValue_isNeverRead() {
    // a password written into the properties is not a setting of the starter: it stays unused
    runner.withPropertyValues("shulian.identity.keystore=" + keystore, "shulian.identity.password=" + PASSWORD,
        "shulian.identity.password-env=SHULIAN_STARTER_TEST_UNSET_VARIABLE", "shulian.trust.certificates=" + peerPem)
        .run(ctx -> assertThat(failure(ctx).problem()).isEqualTo(Problem.MISSING_SECRET));
  }

  @Test
  void emptyPasswordFile_failsAsMissingSecret() throws Exception {
    Files.writeString(passwordFile, "\n");
    configured().run(ctx -> assertThat(failure(ctx).problem()).isEqualTo(Problem.MISSING_SECRET));
  }

  @Test
  void applicationReplayCache_isTheOpenersCache() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    ReplayCache shared = (id, expiresAt) -> asked.incrementAndGet() == 1;
    byte[] envelope = EnvelopeSealer.builder(housing).build().seal(io.shulian.core.envelope.SealRequest.builder()
        .recipient(civil.encryptionCertificate()).resource("HOUSING-001").purpose("p").build(), new byte[] {1})
        .toByteArray();
    configured().withBean(ReplayCache.class, () -> shared).run(ctx -> {
      EnvelopeOpener opener = ctx.getBean(EnvelopeOpener.class);
      opener.open(envelope);
      assertThat(asked).hasValue(1);
    });
  }

  @Test
  void replayMaxEntriesZero_failsAsInvalidSetting() {
    configured("shulian.replay.max-entries=0")
        .run(ctx -> assertThat(failure(ctx).problem()).isEqualTo(Problem.INVALID_SETTING));
  }

  @Test
  void gatewayUrlWithPath_failsAsInvalidSetting() {
    runner.withPropertyValues("shulian.gateway.url=http://127.0.0.1:8080/exchange",
        "shulian.gateway.api-key-file=" + passwordFile)
        .run(ctx -> assertThat(failure(ctx).problem()).isEqualTo(Problem.INVALID_SETTING));
  }

  @Test
  void gatewayApiKeyUnset_failsNamingTheVariable() {
    runner.withPropertyValues("shulian.gateway.url=http://127.0.0.1:8080",
        "shulian.gateway.api-key-env=SHULIAN_STARTER_TEST_UNSET_VARIABLE")
        .run(ctx -> assertThat(failure(ctx).getMessage()).contains("SHULIAN_STARTER_TEST_UNSET_VARIABLE"));
  }

  @Test
  void policyDirMissing_failsAsBadPolicy() {
    configured("shulian.policy.dir=" + dir.resolve("no-policy"))
        .run(ctx -> assertThat(failure(ctx).problem()).isEqualTo(Problem.BAD_POLICY));
  }

  @Test
  void health_gatewayNotListening_isDown_keysAndTrustReported() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    configured("shulian.gateway.url=http://127.0.0.1:" + closedPort, "shulian.gateway.api-key-file=" + passwordFile)
        .run(ctx -> {
          var health = ctx.getBean(ShulianHealthIndicator.class).health();
          // the status's code: the same test for Boot 3's and Boot 4's health API (-Pboot4)
          assertThat(health.getStatus().getCode()).isEqualTo("DOWN");
          assertThat(health.getDetails()).containsEntry("gatewayReachable", false).containsEntry("keysLoaded", true)
              .containsEntry("trustFresh", true).containsEntry("party", LoopbackCity.CIVIL.toString());
        });
  }

  @Test
  void meters_withMicrometer_areConfigured_besideTheHealthIndicator() throws Exception {
    configured().run(ctx -> {
      assertThat(ctx).hasSingleBean(io.shulian.spring.boot.actuate.ShulianMeters.class);
      assertThat(ctx).hasSingleBean(ShulianHealthIndicator.class);
    });
  }

  @Test
  void health_expiredPinnedCertificate_isDown() throws Exception {
    ShulianTrust stale = ShulianTrust.pinned(housing.certificates(),
        Clock.offset(Clock.systemUTC(), Duration.ofDays(60)));
    assertThat(stale.isFresh()).isFalse();
    ShulianHealthIndicator h = new ShulianHealthIndicator(civil, stale, null, Duration.ofSeconds(1), Clock.systemUTC());
    assertThat(h.health().getStatus().getCode()).isEqualTo("DOWN");
    assertThat(h.health().getDetails()).containsEntry("trustFresh", false);
  }
}
