package io.shulian.core.trust;

import io.shulian.core.internal.yaml.LocatedTree;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.testing.TestParties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Fixed city CAs and seed bundles for {@link CityBundleFuzzTest}. Seeds are only valid under fixed
 * keys, so an INTL (P-256) and a GM (SM2) city CA are stored under
 * {@code src/test/resources/io/shulian/core/trust/fuzz/<suite>/} (test-only keys, published in this
 * repository, never to be used for anything else) with the instant the seeds were signed at.
 *
 * <p>Regenerate (after a change of the bundle format) with {@code main}, run from {@code sdk-core}
 * on the test class path; see docs/fuzzing.md.
 */
final class BundleFuzzFixtures {
  static final char[] PASSWORD = "fuzz-test-only".toCharArray();
  static final String RESOURCES = "io/shulian/core/trust/fuzz/";
  static final String[] SUITES = {"intl", "gm"};
  static final String SEEDS = "io/shulian/core/trust/CityBundleFuzzTestInputs/";
  static final String BYTES = "verify_arbitraryBytes_throwsOnlyBundleException";
  static final String PAYLOAD = "verify_signedArbitraryPayload_throwsOnlyBundleExceptionAndReparsesEqual";
  /** Grace period after validUntil that the fuzz targets verify with. */
  static final Duration GRACE = Duration.ofDays(1);

  private BundleFuzzFixtures() {}

  /** The stored CAs by suite name, on a clock fixed at the signing instant. */
  static Map<String, CityAuthority> authorities() {
    try {
      Instant at = signedAt();
      Map<String, CityAuthority> out = new TreeMap<>();
      for (String s : SUITES) {
        out.put(s, CityAuthority.open(resourceDir(RESOURCES + s), PASSWORD, Clock.fixed(at, ZoneOffset.UTC)));
      }
      return out;
    } catch (Exception e) {
      throw new IllegalStateException("bundle fuzz fixtures missing or invalid: " + e.getMessage(), e);
    }
  }

  /** The instant the seeds were signed at; the targets verify one hour later. */
  static Instant signedAt() {
    try {
      return Instant.ofEpochSecond(Long.parseLong(
          Files.readString(resourceDir(RESOURCES).resolve("signed-at.txt"), StandardCharsets.US_ASCII).trim()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The seed files of one target, by name. */
  static Map<String, byte[]> seeds(String method) {
    Map<String, byte[]> out = new TreeMap<>();
    Path dir;
    try {
      dir = resourceDir(SEEDS + method);
    } catch (IllegalStateException e) {
      return out;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        out.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static Path resourceDir(String name) {
    URL u = BundleFuzzFixtures.class.getResource("/" + name);
    if (u == null || !"file".equals(u.getProtocol())) {
      throw new IllegalStateException("test resource directory " + name + " is missing");
    }
    try {
      return Path.of(u.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The signed JSON of a compact JWS (its middle part). */
  static byte[] payloadOf(String jws) {
    return Base64.getUrlDecoder().decode(jws.split("\\.")[1]);
  }

  /**
   * Writes new CAs, the signing instant and seed bundles.
   *
   * @param args the test resources root, e.g. {@code src/test/resources}; the example catalog and
   *     policies are read from {@code ../docs/examples}
   */
  public static void main(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources");
    Path fixtures = root.resolve(RESOURCES);
    Path bytesSeeds = root.resolve(SEEDS + BYTES);
    Path payloadSeeds = root.resolve(SEEDS + PAYLOAD);
    Files.createDirectories(bytesSeeds);
    Files.createDirectories(payloadSeeds);
    Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Clock clock = Clock.fixed(at, ZoneOffset.UTC);
    Files.createDirectories(fixtures);
    Files.writeString(fixtures.resolve("signed-at.txt"), at.getEpochSecond() + "\n");
    Path examples = Path.of("..", "docs", "examples");
    String catalog = json(Files.readAllBytes(examples.resolve("catalog.yaml")));
    String policies = json(Files.readAllBytes(examples.resolve("policies.yaml")));
    for (String s : SUITES) {
      Path dir = fixtures.resolve(s);
      CityAuthority ca = CityAuthority.init(s.equals("gm") ? Suite.GM : Suite.INTL, "Shulian Fuzz Root " + s, dir,
          PASSWORD, Duration.ofDays(3650), clock);
      PartyIdentity housing = ca.issue(TestParties.HOUSING, false, Duration.ofDays(3000));
      PartyIdentity civil = ca.issue(TestParties.CIVIL, true, Duration.ofDays(3000));
      X509CRL crl = ca.crl(Duration.ofDays(7));
      Files.deleteIfExists(dir.resolve(".ca.lock"));
      String full = CityBundle.draft()
          .version(7)
          .validity(at, at.plus(Duration.ofDays(30)))
          .member(CityBundle.Member.of(TestParties.HOUSING, "住房和城乡建设局 Housing",
              URI.create("https://housing.example.gov.cn:8443/"), housing.certificates()))
          .member(CityBundle.Member.of(TestParties.CIVIL, "Civil Affairs", null, civil.certificates()))
          .crl(crl)
          .extension("catalog", catalog)
          .extension("policies", policies)
          .extension("x-note", "[1,2.5,true,null,\"\\u0000\"]")
          .sign(ca);
      String minimal = CityBundle.draft().version(1).validity(at, at.plus(Duration.ofHours(2))).crl(crl).sign(ca);
      Files.writeString(bytesSeeds.resolve(s + "-full.jws"), full, StandardCharsets.US_ASCII);
      Files.writeString(bytesSeeds.resolve(s + "-minimal.jws"), minimal, StandardCharsets.US_ASCII);
      if (s.equals("intl")) {
        Files.write(payloadSeeds.resolve("full.json"), payloadOf(full));
        Files.write(payloadSeeds.resolve("minimal.json"), payloadOf(minimal));
      }
    }
    Files.write(bytesSeeds.resolve("empty"), new byte[0]);
    Files.writeString(bytesSeeds.resolve("dots"), "..", StandardCharsets.US_ASCII);
    Files.writeString(payloadSeeds.resolve("not-object.json"), "[{\"format\":1}]", StandardCharsets.US_ASCII);
    System.out.println("wrote CAs to " + fixtures + " and seeds to " + root.resolve(SEEDS) + " (signed at " + at + ")");
  }

  private static String json(byte[] yaml) throws LocatedTree.SyntaxException {
    return new String(LocatedTree.canonicalJson(LocatedTree.parse("example", yaml).root()), StandardCharsets.UTF_8);
  }

  /** The root certificates of the stored CAs. */
  static List<X509Certificate> roots(Map<String, CityAuthority> cas) {
    List<X509Certificate> out = new ArrayList<>();
    cas.values().forEach(c -> out.add(c.root()));
    return out;
  }
}
