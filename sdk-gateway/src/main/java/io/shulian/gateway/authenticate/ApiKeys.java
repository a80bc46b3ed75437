package io.shulian.gateway.authenticate;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Department apps allowed to call the consumer gateway. Only SHA-256 hashes of API keys are kept
 * (in the config and in memory); a presented key is hashed and compared in constant time.
 */
public final class ApiKeys {
  private final List<Map.Entry<String, byte[]>> apps;

  private ApiKeys(List<Map.Entry<String, byte[]>> apps) {
    this.apps = apps;
  }

  /**
   * @param hashesByApp app name to lower-case hex SHA-256 of its API key
   * @throws IllegalArgumentException if a hash is not 64 hex characters
   */
  public static ApiKeys of(Map<String, String> hashesByApp) {
    List<Map.Entry<String, byte[]>> l = new java.util.ArrayList<>();
    hashesByApp.forEach((app, hex) -> {
      if (hex == null || !hex.matches("[0-9a-fA-F]{64}")) {
        throw new IllegalArgumentException("app " + app + ": apiKeySha256 must be 64 hex characters");
      }
      l.add(Map.entry(app, HexFormat.of().parseHex(hex.toLowerCase(java.util.Locale.ROOT))));
    });
    return new ApiKeys(List.copyOf(l));
  }

  /** Returns the hex SHA-256 of an API key, as the config stores it. */
  public static String hash(String apiKey) {
    return HexFormat.of().formatHex(sha256(apiKey));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Returns the app the key belongs to, if any. Every configured app is compared. */
  public Optional<String> authenticate(String presentedKey) {
    if (presentedKey == null || presentedKey.isEmpty() || presentedKey.length() > 256) {
      return Optional.empty();
    }
    byte[] h = sha256(presentedKey);
    String found = null;
    for (Map.Entry<String, byte[]> e : apps) {
      if (MessageDigest.isEqual(h, e.getValue()) && found == null) {
        found = e.getKey();
      }
    }
    return Optional.ofNullable(found);
  }
}
