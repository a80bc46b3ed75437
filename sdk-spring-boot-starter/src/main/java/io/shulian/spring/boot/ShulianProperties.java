package io.shulian.spring.boot;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code shulian.*} properties. Secrets (the keystore password, the gateway API key, the mask
 * hash key) are never property values: a property names the environment variable or the file
 * that holds each.
 *
 * @param identity the department's keys
 * @param trust whom envelopes are opened from: pinned certificates, or a city root and bundle
 * @param replay the replay cache of the opener
 * @param policy the optional catalog and policy engine
 * @param gateway the department's consumer gateway
 */
@ConfigurationProperties("shulian")
public record ShulianProperties(
    @DefaultValue Identity identity,
    @DefaultValue Trust trust,
    @DefaultValue Replay replay,
    @DefaultValue Policy policy,
    @DefaultValue Gateway gateway) {

  /**
   * The department's identity.
   *
   * @param keystore PKCS#12 file with the entries sign, encrypt and (optionally) tls, as written by
   *     {@code shulian keygen} or issued by the city CA
   * @param passwordEnv environment variable holding the keystore password
   * @param passwordFile file holding the keystore password (first line); used instead of the
   *     environment variable when set
   */
  public record Identity(
      @Nullable Path keystore,
      @DefaultValue("SHULIAN_KEY_PASSWORD") String passwordEnv,
      @Nullable Path passwordFile) {}

  /**
   * Whom envelopes are opened from and sealed to: either pinned peer certificates, or the city
   * root and the signed city bundle.
   *
   * @param certificates PEM files of the peers' certificates (two-party setups)
   * @param root PEM file of the city root CA certificate(s), with {@code bundle}
   * @param bundle the signed city bundle ({@code bundle.jws}), with {@code root}
   * @param grace how long a bundle past its valid-until (or a CRL past its next-update) is still
   *     used; 0s to 7d
   */
  public record Trust(
      @DefaultValue List<Path> certificates,
      @Nullable Path root,
      @Nullable Path bundle,
      @DefaultValue("1h") Duration grace) {}

  /**
   * The opener's replay cache (an envelope is opened at most once while it is valid). A bean of
   * type {@code ReplayCache} replaces it, e.g. one shared by several instances.
   *
   * @param maxEntries envelope ids kept at once; when full, new envelopes are refused
   */
  public record Replay(@DefaultValue("1000000") long maxEntries) {}

  /**
   * The catalog and policy engine, for a department that decides and masks in its own service.
   *
   * @param dir directory with catalog.yaml and policies.yaml; no engine when unset
   * @param hashKeyEnv environment variable holding the secret of keyed-hash masks (at least 16
   *     bytes)
   * @param hashKeyFile file holding that secret; used instead of the environment variable when
   *     set
   */
  public record Policy(
      @Nullable Path dir,
      @DefaultValue("SHULIAN_MASK_KEY") String hashKeyEnv,
      @Nullable Path hashKeyFile) {}

  /**
   * The department's consumer gateway (docs/gateway.md).
   *
   * @param url the consumer listener, e.g. {@code http://127.0.0.1:8080}; no client when unset
   * @param apiKeyEnv environment variable holding this application's API key
   * @param apiKeyFile file holding the API key; used instead of the environment variable when set
   * @param connectTimeout time to connect to the gateway
   * @param readTimeout time the gateway may take to answer (at least its requestTimeout)
   */
  public record Gateway(
      @Nullable URI url,
      @DefaultValue("SHULIAN_API_KEY") String apiKeyEnv,
      @Nullable Path apiKeyFile,
      @DefaultValue("5s") Duration connectTimeout,
      @DefaultValue("60s") Duration readTimeout) {}
}
