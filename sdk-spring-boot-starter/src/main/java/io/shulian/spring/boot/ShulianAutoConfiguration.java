package io.shulian.spring.boot;

import io.shulian.core.envelope.EnvelopeOpener;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.ReplayCache;
import io.shulian.core.keys.KeyMaterialException;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.policy.PolicyEngine;
import io.shulian.core.policy.PolicySet;
import io.shulian.core.policy.PolicySource;
import io.shulian.core.trust.BundleException;
import io.shulian.core.trust.BundleHolder;
import io.shulian.core.trust.CityTrust;
import io.shulian.core.trust.TrustException;
import io.shulian.core.io.BoundedRead;
import io.shulian.spring.boot.ShulianConfigurationException.Problem;
import io.shulian.spring.boot.client.ShulianGatewayClient;
import java.net.URI;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

/**
 * Configures sdk-core from {@code shulian.*}: with {@code shulian.identity.keystore} set, the
 * department's {@link PartyIdentity}, its {@link ShulianTrust}, a {@link ReplayCache}, an {@link
 * EnvelopeSealer} and an {@link EnvelopeOpener}; with {@code shulian.policy.dir} also a {@link
 * PolicyEngine}; with {@code shulian.gateway.url} a {@link ShulianGatewayClient}. Every bean backs off when the application defines its own. A configuration that
 * cannot work stops the start with a {@link ShulianConfigurationException}.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.autoconfigure.web.client.RestClientAutoConfiguration",
    "org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration"})
@EnableConfigurationProperties(ShulianProperties.class)
public class ShulianAutoConfiguration {
  /** Where secrets come from; tests of this package replace nothing here: secrets are real. */
  static final Function<String, @Nullable String> ENVIRONMENT = System::getenv;
  static final Duration MAX_GRACE = Duration.ofDays(7);

  /** The envelope beans: present once the department's keystore is configured. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(prefix = "shulian.identity", name = "keystore")
  static class EnvelopeConfiguration {
    @Bean
    @ConditionalOnMissingBean
    PartyIdentity shulianIdentity(ShulianProperties properties) {
      return loadIdentity(properties.identity(), ENVIRONMENT);
    }

    @Bean
    @ConditionalOnMissingBean
    ShulianTrust shulianTrust(ShulianProperties properties) {
      return loadTrust(properties.trust(), Clock.systemUTC());
    }

    @Bean
    @ConditionalOnMissingBean
    ReplayCache shulianReplayCache(ShulianProperties properties) {
      long max = properties.replay().maxEntries();
      if (max < 1) {
        throw new ShulianConfigurationException(Problem.INVALID_SETTING, "shulian.replay.max-entries",
            "must be at least 1, got " + max, null);
      }
      return ReplayCache.inMemory(max, Clock.systemUTC());
    }

    @Bean
    @ConditionalOnMissingBean
    EnvelopeSealer shulianEnvelopeSealer(PartyIdentity identity) {
      return EnvelopeSealer.builder(identity).build();
    }

    @Bean
    @ConditionalOnMissingBean
    EnvelopeOpener shulianEnvelopeOpener(PartyIdentity identity, ShulianTrust trust, ReplayCache replayCache) {
      return EnvelopeOpener.builder(identity, trust.senderTrust()).replayCache(replayCache).build();
    }
  }

  /** The policy engine: present once {@code shulian.policy.dir} is set. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(prefix = "shulian.policy", name = "dir")
  static class PolicyConfiguration {
    @Bean
    @ConditionalOnMissingBean
    PolicyEngine shulianPolicyEngine(ShulianProperties properties) {
      return loadPolicy(properties.policy(), ENVIRONMENT);
    }
  }

  /** The consumer-gateway client: present once {@code shulian.gateway.url} is set. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(RestClient.class)
  @ConditionalOnProperty(prefix = "shulian.gateway", name = "url")
  static class GatewayClientConfiguration {
    @Bean
    @ConditionalOnMissingBean
    ShulianGatewayClient shulianGatewayClient(ShulianProperties properties,
        ObjectProvider<RestClient.Builder> builders, ObjectProvider<ShulianGatewayClient.Listener> listeners) {
      return createClient(properties.gateway(), builders.getIfAvailable(RestClient::builder),
          listeners.getIfAvailable(() -> (r, m, s, o, d) -> { }), ENVIRONMENT);
    }
  }

  static ShulianGatewayClient createClient(ShulianProperties.Gateway g, RestClient.Builder builder,
      ShulianGatewayClient.Listener listener, Function<String, @Nullable String> env) {
    URI url = g.url();
    if (url == null) {
      throw new ShulianConfigurationException(Problem.INVALID_SETTING, "shulian.gateway.url", "not set", null);
    }
    for (Duration d : List.of(g.connectTimeout(), g.readTimeout())) {
      if (d.isNegative() || d.isZero()) {
        throw new ShulianConfigurationException(Problem.INVALID_SETTING, "shulian.gateway",
            "timeouts must be positive, got " + d, null);
      }
    }
    char[] key = Secrets.read("the application's API key", "shulian.gateway.api-key-env", g.apiKeyEnv(),
        "shulian.gateway.api-key-file", g.apiKeyFile(), env);
    try {
      return ShulianGatewayClient.create(builder, url, new String(key), g.connectTimeout(), g.readTimeout(), listener);
    } catch (IllegalArgumentException e) {
      throw new ShulianConfigurationException(Problem.INVALID_SETTING, "shulian.gateway.url",
          String.valueOf(e.getMessage()), null);
    } finally {
      Arrays.fill(key, '\0');
    }
  }

  static PartyIdentity loadIdentity(ShulianProperties.Identity p, Function<String, @Nullable String> env) {
    Path keystore = p.keystore();
    if (keystore == null) {
      throw new ShulianConfigurationException(Problem.KEYSTORE_UNREADABLE, "shulian.identity.keystore",
          "not set", null);
    }
    if (!Files.isRegularFile(keystore)) {
      throw new ShulianConfigurationException(Problem.KEYSTORE_UNREADABLE, "shulian.identity.keystore",
          keystore + " is not a readable file", null);
    }
    char[] password = Secrets.read("the keystore password", "shulian.identity.password-env", p.passwordEnv(),
        "shulian.identity.password-file", p.passwordFile(), env);
    try {
      return PartyIdentity.load(keystore, password);
    } catch (KeyMaterialException e) {
      if (passwordIsWrong(keystore, password)) {
        throw new ShulianConfigurationException(Problem.WRONG_KEYSTORE_PASSWORD, "shulian.identity.keystore",
            "the password does not open " + keystore + " (the PKCS#12 integrity check failed)", null);
      }
      throw new ShulianConfigurationException(Problem.KEYSTORE_UNREADABLE, "shulian.identity.keystore",
          e.getMessage(), e);
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  /**
   * Tells a wrong password from a damaged file with the JDK's own PKCS#12 reader, which reports a
   * failed integrity check as {@link UnrecoverableKeyException}; sdk-core reports both the same way.
   */
  static boolean passwordIsWrong(Path keystore, char[] password) {
    try (InputStream in = Files.newInputStream(keystore)) {
      KeyStore.getInstance("PKCS12").load(in, password);
      return false;
    } catch (IOException e) {
      return e.getCause() instanceof UnrecoverableKeyException;
    } catch (java.security.GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  static ShulianTrust loadTrust(ShulianProperties.Trust t, Clock clock) {
    boolean pinned = !t.certificates().isEmpty();
    boolean city = t.root() != null || t.bundle() != null;
    if (pinned && city) {
      throw new ShulianConfigurationException(Problem.INVALID_SETTING, "shulian.trust",
          "set either certificates, or root and bundle, not both", null);
    }
    if (!pinned && !city) {
      throw new ShulianConfigurationException(Problem.MISSING_TRUST, "shulian.trust",
          "no trust configured: set shulian.trust.certificates (the peers' cert.pem files), or"
              + " shulian.trust.root and shulian.trust.bundle (the city root and bundle.jws)", null);
    }
    if (pinned) {
      List<PartyCertificate> all = new ArrayList<>();
      for (Path f : t.certificates()) {
        try {
          all.addAll(PartyCertificate.readPem(f));
        } catch (KeyMaterialException e) {
          throw new ShulianConfigurationException(Problem.BAD_TRUST, "shulian.trust.certificates",
              e.getMessage(), e);
        }
      }
      return ShulianTrust.pinned(all, clock);
    }
    Path root = t.root();
    Path bundle = t.bundle();
    if (root == null || bundle == null) {
      throw new ShulianConfigurationException(Problem.MISSING_TRUST, root == null ? "shulian.trust.root"
          : "shulian.trust.bundle", "a city bundle needs both shulian.trust.root and shulian.trust.bundle", null);
    }
    if (t.grace().isNegative() || t.grace().compareTo(MAX_GRACE) > 0) {
      throw new ShulianConfigurationException(Problem.INVALID_SETTING, "shulian.trust.grace",
          "must be between 0s and 7d, got " + t.grace(), null);
    }
    List<X509Certificate> roots;
    try {
      roots = CityTrust.readCertificates(BoundedRead.pemFile(root, 1 << 20));
    } catch (IOException | TrustException e) {
      throw new ShulianConfigurationException(Problem.BAD_TRUST, "shulian.trust.root",
          "cannot read the city root from " + root + ": " + e.getMessage(), e);
    }
    if (roots.isEmpty()) {
      throw new ShulianConfigurationException(Problem.BAD_TRUST, "shulian.trust.root", root + " holds no certificate",
          null);
    }
    BundleHolder holder = BundleHolder.of(roots, clock, t.grace(), t.grace());
    try {
      holder.update(BoundedRead.file(bundle, io.shulian.core.trust.CityBundle.MAX_BUNDLE_BYTES));
    } catch (IOException | BundleException e) {
      throw new ShulianConfigurationException(Problem.BAD_TRUST, "shulian.trust.bundle",
          "cannot use the city bundle " + bundle + ": " + e.getMessage(), e);
    }
    return ShulianTrust.bundle(holder, t.grace(), clock);
  }

  static PolicyEngine loadPolicy(ShulianProperties.Policy p, Function<String, @Nullable String> env) {
    Path dir = p.dir();
    if (dir == null) {
      throw new ShulianConfigurationException(Problem.BAD_POLICY, "shulian.policy.dir", "not set", null);
    }
    PolicySet set;
    try {
      set = PolicySource.directory(dir).load();
    } catch (IOException | io.shulian.core.catalog.InvalidDocumentException e) {
      throw new ShulianConfigurationException(Problem.BAD_POLICY, "shulian.policy.dir",
          "cannot load the catalog and policies of " + dir + ": " + e.getMessage(), e);
    }
    PolicyEngine.Builder b = PolicyEngine.builder(set);
    boolean keyConfigured = p.hashKeyFile() != null || env.apply(p.hashKeyEnv()) != null;
    try {
      if (keyConfigured) {
        char[] key = Secrets.read("the mask hash key", "shulian.policy.hash-key-env", p.hashKeyEnv(),
            "shulian.policy.hash-key-file", p.hashKeyFile(), env);
        byte[] bytes = new String(key).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Arrays.fill(key, '\0');
        try {
          b.maskHashKey(bytes); // copied
        } finally {
          Arrays.fill(bytes, (byte) 0);
        }
      }
      // without a key, a policy that hashes a field fails here (MissingHashKeyException): never
      // an engine whose masker cannot do what the policy says
      return b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ShulianConfigurationException(Problem.BAD_POLICY, "shulian.policy.hash-key-env",
          e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
    }
  }
}
