package io.shulian.core.trust;

import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/** A city CA in a temporary directory, on a fixed clock, for tests. */
final class TestCa {
  static final Instant T0 = Instant.parse("2026-06-01T08:00:00Z");
  static final char[] PASSWORD = "test-password".toCharArray();

  final Suite suite;
  final Path dir;
  final CityAuthority ca;

  private TestCa(Suite suite, Path dir, CityAuthority ca) {
    this.suite = suite;
    this.dir = dir;
    this.ca = ca;
  }

  static Clock clock(Instant t) {
    return Clock.fixed(t, ZoneOffset.UTC);
  }

  /** A temporary directory removed, with everything in it, when the test JVM exits. */
  static Path jvmTempDir(String prefix) {
    try {
      Path dir = Files.createTempDirectory(prefix);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
          all.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
          // best effort at exit
        }
      }));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates a CA in a new directory under {@code parent} (a test's {@code @TempDir}). */
  static TestCa create(Path parent, Suite suite, String name) {
    try {
      Path dir = Files.createTempDirectory(parent, "ca-");
      return new TestCa(suite, dir, CityAuthority.init(suite, name, dir, PASSWORD, Duration.ofDays(3650), clock(T0)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reopens the CA with its clock at {@code t}. */
  CityAuthority at(Instant t) {
    try {
      return CityAuthority.open(dir, PASSWORD, clock(t));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  PartyIdentity issue(PartyId party, Instant when, Duration validity) throws IOException {
    return at(when).issue(party, true, validity);
  }

  X509CRL crl(Instant when, Duration nextUpdate) throws IOException {
    return at(when).crl(nextUpdate);
  }

  CityTrust trust(X509CRL crl, List<io.shulian.core.keys.PartyCertificate> parties) throws TrustException {
    return CityTrust.builder().roots(List.of(ca.root())).crls(List.of(crl)).partyCertificates(parties).build();
  }
}
