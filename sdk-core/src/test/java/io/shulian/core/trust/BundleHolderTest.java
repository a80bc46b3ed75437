package io.shulian.core.trust;

import static io.shulian.core.trust.TestCa.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.keys.Suite;
import io.shulian.core.policy.GrantRevocations;
import io.shulian.core.testing.TestParties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rollback protection that survives restarts ({@link BundleHolder.VersionFloor}) and grant revocations from the bundle. */
class BundleHolderTest {
  @TempDir Path dir;

  private static final Clock AT = TestCa.clock(T0.plusSeconds(60));

  private static BundleHolder holder(BundleHolder.VersionFloor floor) throws Exception {
    return BundleHolder.of(List.of(CityBundleTest.ca(Suite.INTL).ca.root()), AT, Duration.ofHours(1), Duration.ofHours(1),
        floor);
  }

  private static byte[] bundle(long version, Duration validFor) throws Exception {
    return CityBundleTest.bundle(Suite.INTL, version, T0, validFor);
  }

  @Test
  void update_afterRestartWithOlderBundle_refusedAsRollback() throws Exception {
    Path file = dir.resolve("state/bundle-version");
    BundleHolder first = holder(BundleHolder.VersionFloor.file(file));
    byte[] v5 = bundle(5, Duration.ofDays(1));
    first.update(v5);
    assertThat(Files.readString(file)).startsWith("shulian-bundle-floor 1\nversion 5\nsha256 ");

    BundleHolder restarted = holder(BundleHolder.VersionFloor.file(file));

    assertThatThrownBy(() -> restarted.update(bundle(4, Duration.ofDays(1))))
        .isInstanceOf(BundleException.class).hasMessageContaining("v4 is older than v5").hasMessageContaining(file.toString())
        .satisfies(e -> assertThat(((BundleException) e).reason()).isEqualTo(BundleException.Reason.ROLLBACK));
    // the same v5 again is fine; a different v5 is not
    assertThat(restarted.update(v5).version()).isEqualTo(5);
    BundleHolder again = holder(BundleHolder.VersionFloor.file(file));
    assertThatThrownBy(() -> again.update(bundle(5, Duration.ofDays(2))))
        .isInstanceOf(BundleException.class).hasMessageContaining("differs");
    assertThat(again.current()).isEmpty();
    assertThat(again.update(bundle(6, Duration.ofDays(1))).version()).isEqualTo(6);
    assertThat(Files.readString(file)).contains("version 6\n");
  }

  @Test
  void readOnlyFloor_checksButNeverWrites() throws Exception {
    Path file = dir.resolve("bundle-version");
    holder(BundleHolder.VersionFloor.file(file)).update(bundle(3, Duration.ofDays(1)));
    String before = Files.readString(file);

    BundleHolder checking = holder(BundleHolder.VersionFloor.readOnlyFile(file));
    assertThatThrownBy(() -> checking.update(bundle(2, Duration.ofDays(1)))).isInstanceOf(BundleException.class);
    checking.update(bundle(9, Duration.ofDays(1)));

    assertThat(Files.readString(file)).isEqualTo(before);
  }

  @Test
  void floorFile_damaged_refusedNotTreatedAsNone() throws Exception {
    Path file = dir.resolve("bundle-version");
    for (String bad : new String[] {"", "version 5\n", "shulian-bundle-floor 1\nversion 99999999999999999999\nsha256 "
        + "0".repeat(64) + "\n", "shulian-bundle-floor 1\nversion 5\nsha256 xyz\n"}) {
      Files.writeString(file, bad, StandardCharsets.US_ASCII);
      assertThatThrownBy(() -> holder(BundleHolder.VersionFloor.file(file)))
          .isInstanceOf(java.io.IOException.class).hasMessageContaining("damaged").hasMessageContaining("backup");
    }
  }

  @Test
  void grantRevocations_fromBundle_followTheHeldBundle() throws Exception {
    BundleHolder h = BundleHolder.of(List.of(CityBundleTest.ca(Suite.INTL).ca.root()), AT, Duration.ofHours(1),
        Duration.ofHours(1));
    GrantRevocations revocations = GrantRevocations.fromBundle(h);
    String key = TestParties.HOUSING + "#grant-7";
    assertThat(revocations.isRevoked(key)).as("no bundle held: fail closed").isTrue();
    h.update(bundle(1, Duration.ofDays(1)));
    assertThat(revocations.isRevoked(key)).isFalse();

    byte[] v2 = CityBundle.draft().version(2).validity(T0, T0.plus(Duration.ofDays(1)))
        .crl(CityBundleTest.ca(Suite.INTL).crl(T0, Duration.ofHours(24)))
        .revokeGrant(CityBundle.RevokedGrant.of(TestParties.HOUSING, "grant-7", null, "withdrawn"))
        .sign(CityBundleTest.ca(Suite.INTL).at(T0)).getBytes(StandardCharsets.US_ASCII);
    h.update(v2);

    assertThat(revocations.isRevoked(key)).isTrue();
    assertThat(revocations.isRevoked(TestParties.HOUSING + "#grant-8")).isFalse();
    assertThat(h.current().orElseThrow().revokedGrants()).singleElement()
        .satisfies(g -> assertThat(g.reason()).contains("withdrawn"));
  }
}
