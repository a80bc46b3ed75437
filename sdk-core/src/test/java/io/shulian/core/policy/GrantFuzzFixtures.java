package io.shulian.core.policy;

import io.shulian.core.internal.access.CoreAccess;
import io.shulian.core.keys.KeyAlgorithm;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import io.shulian.core.testing.TestParties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Fixed issuer keys and seed grant tokens for {@link GrantVerifierFuzzTest}. Seeds are only valid
 * under fixed keys, so three grant issuers of the same party (INTL Ed25519, INTL P-256, GM SM2) are
 * stored under {@code src/test/resources/io/shulian/core/policy/fuzz/} (test-only keys, published
 * in this repository, never to be used for anything else) with the instant the seeds were issued
 * at, which is the verifier's fixed clock.
 *
 * <p>Regenerate with {@code main}, run from {@code sdk-core} on the test class path; see
 * docs/fuzzing.md.
 */
final class GrantFuzzFixtures {
  static final char[] PASSWORD = "fuzz-test-only".toCharArray();
  static final String RESOURCES = "io/shulian/core/policy/fuzz/";
  static final String[] SUITES = {"intl", "intl-p256", "gm"};
  static final String SEEDS = "io/shulian/core/policy/GrantVerifierFuzzTestInputs/";
  static final String TOKEN = "verify_arbitraryToken_throwsOnlyGrantException";
  static final String CLAIMS = "verify_signedArbitraryClaims_throwsOnlyGrantExceptionAndReissuesEqual";
  static final PartyId ISSUER = TestParties.HOUSING;
  static final PartyId CONSUMER = TestParties.CIVIL;

  private GrantFuzzFixtures() {}

  /** The stored issuers by suite name. */
  static Map<String, PartyIdentity> issuers() {
    try {
      Map<String, PartyIdentity> out = new LinkedHashMap<>();
      for (String s : SUITES) {
        out.put(s, PartyIdentity.fromPkcs12(Files.readAllBytes(resourceDir(RESOURCES).resolve(s + "-issuer.p12")), PASSWORD));
      }
      return out;
    } catch (Exception e) {
      throw new IllegalStateException("grant fuzz fixtures missing or invalid: " + e.getMessage(), e);
    }
  }

  static List<PartyCertificate> certificates(Map<String, PartyIdentity> issuers) {
    return issuers.values().stream().map(PartyIdentity::signingCertificate).toList();
  }

  static Instant issuedAt() {
    try {
      return Instant.ofEpochSecond(Long.parseLong(
          Files.readString(resourceDir(RESOURCES).resolve("issued-at.txt"), StandardCharsets.US_ASCII).trim()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, byte[]> seeds(String method) {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(resourceDir(SEEDS + method))) {
      for (Path p : (Iterable<Path>) files::iterator) {
        out.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static Path resourceDir(String name) {
    URL u = GrantFuzzFixtures.class.getResource("/" + name);
    if (u == null || !"file".equals(u.getProtocol())) {
      throw new IllegalStateException("test resource directory " + name + " is missing");
    }
    try {
      return Path.of(u.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A compact JWS of {@code claims} (any bytes) with a grant header, signed by {@code issuer}. */
  static String sign(PartyIdentity issuer, byte[] claims) {
    io.shulian.core.internal.crypto.Signer s = CoreAccess.keys().signingKey(issuer).signer();
    String header = "{\"alg\":\"" + s.joseAlgorithm() + "\",\"kid\":\"" + issuer.signingCertificate().keyId().value()
        + "\",\"typ\":\"" + Grant.TOKEN_TYPE + "\"}";
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String input = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "." + b64.encodeToString(claims);
    byte[] in = input.getBytes(StandardCharsets.US_ASCII);
    return input + "." + b64.encodeToString(s.sign(in, 0, in.length));
  }

  /**
   * Writes new issuer keys, the issue instant and seed tokens.
   *
   * @param args the test resources root, e.g. {@code src/test/resources}
   */
  public static void main(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources");
    Path fixtures = root.resolve(RESOURCES);
    Path tokens = root.resolve(SEEDS + TOKEN);
    Path claims = root.resolve(SEEDS + CLAIMS);
    Files.createDirectories(fixtures);
    Files.createDirectories(tokens);
    Files.createDirectories(claims);
    Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Files.writeString(fixtures.resolve("issued-at.txt"), at.getEpochSecond() + "\n");
    Duration validity = Duration.ofDays(3650);
    for (String s : SUITES) {
      PartyIdentity p = s.equals("intl-p256")
          ? PartyIdentity.generateSelfSigned(KeyAlgorithm.P256, KeyAlgorithm.P256, ISSUER, validity)
          : PartyIdentity.generateSelfSigned(s.equals("gm") ? Suite.GM : Suite.INTL, ISSUER, validity);
      p.store(fixtures.resolve(s + "-issuer.p12"), PASSWORD);
      Grant g = Grant.builder()
          .id("grant-" + s)
          .issuer(ISSUER)
          .consumer(CONSUMER)
          .resource("housing.property-registry")
          .fields(List.of("owner.name", "members[].phone"))
          .purpose("social-assistance-review")
          .validity(at.minus(Duration.ofMinutes(1)), at.plus(Duration.ofDays(1)))
          .maxUses(3)
          .build();
      String token = GrantIssuer.of(p).issue(g);
      Files.writeString(tokens.resolve(s + ".jwt"), token, StandardCharsets.US_ASCII);
      if (s.equals("intl")) {
        Files.write(claims.resolve("issued.json"), Base64.getUrlDecoder().decode(token.split("\\.")[1]));
      }
    }
    Files.writeString(tokens.resolve("dots"), "..", StandardCharsets.US_ASCII);
    Files.writeString(claims.resolve("system-consumer.json"), "{\"jti\":\"g-1\",\"iss\":\"" + ISSUER + "\",\"sub\":\""
        + TestParties.HOUSING + "\",\"res\":\"r\",\"fields\":[\"a\"],\"purpose\":\"p\",\"nbf\":" + at.getEpochSecond()
        + ",\"exp\":" + (at.getEpochSecond() + 60) + ",\"max_uses\":1000000000000}", StandardCharsets.US_ASCII);
    System.out.println("wrote issuers to " + fixtures + " and seeds to " + root.resolve(SEEDS) + " (issued at " + at + ")");
  }
}
