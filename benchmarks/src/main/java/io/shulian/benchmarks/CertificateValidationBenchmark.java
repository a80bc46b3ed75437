package io.shulian.benchmarks;

import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.CityTrust;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Validation of a party certificate issued directly by the city root (a two-level chain), per
 * suite: {@code cached=true} is the steady state of a gateway (Caffeine hit by key id, plus the
 * usage and validity checks), {@code cached=false} runs Bouncy Castle PKIX and the CRL lookup
 * every time (what a validator without a cache costs).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar CertificateValidationBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CertificateValidationBenchmark {
  @Param({"INTL", "GM"})
  public String suite;

  @Param({"true", "false"})
  public boolean cached;

  private CityTrust trust;
  private PartyCertificate certificate;
  private Instant at;

  @Setup
  public void setUp() throws Exception {
    Instant now = Instant.now();
    Clock clock = Clock.fixed(now, ZoneOffset.UTC);
    Path dir = Files.createTempDirectory("shulian-bench-ca-");
    CityAuthority ca = CityAuthority.init(Suite.valueOf(suite), "Benchmark Root", dir, "bench".toCharArray(),
        Duration.ofDays(365), clock);
    PartyId party = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1234H"), "housing");
    PartyIdentity id = ca.issue(party, false, Duration.ofDays(30));
    CityTrust.Builder b = CityTrust.builder()
        .roots(List.of(ca.root()))
        .crls(List.of(ca.crl(Duration.ofDays(1))))
        .partyCertificates(id.certificates());
    if (!cached) {
      b.cacheSize(0);
    }
    trust = b.build();
    certificate = id.signingCertificate();
    at = now.plusSeconds(60);
    trust.validate(certificate, KeyUse.SIGN, at);
  }

  @Benchmark
  public PartyCertificate validate() throws Exception {
    return trust.validate(certificate, KeyUse.SIGN, at);
  }
}
