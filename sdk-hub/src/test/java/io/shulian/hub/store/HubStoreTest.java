package io.shulian.hub.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.shulian.core.keys.Suite;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hub's database on embedded H2 in file mode. */
class HubStoreTest {
  @TempDir Path dir;

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void publish_newerOnly_perSuite_andSurvivesReopening() throws Exception {
    try (HubStore s = HubStore.open(HubStore.h2Url(dir), null, null, 2)) {
      assertThat(s.newest(Suite.INTL)).isEmpty();
      assertThat(s.publish(Suite.INTL, 2, b("two"), "alice", Instant.now())).isEqualTo(HubStore.PublishResult.PUBLISHED);
      assertThat(s.publish(Suite.INTL, 2, b("two again"), "alice", Instant.now())).isEqualTo(HubStore.PublishResult.NOT_NEWER);
      assertThat(s.publish(Suite.INTL, 1, b("one"), "alice", Instant.now())).isEqualTo(HubStore.PublishResult.NOT_NEWER);
      assertThat(s.publish(Suite.GM, 1, b("gm one"), "alice", Instant.now())).isEqualTo(HubStore.PublishResult.PUBLISHED);
    }
    try (HubStore s = HubStore.open(HubStore.h2Url(dir), null, null, 2)) {
      PublishedBundle p = s.newest(Suite.INTL).orElseThrow();
      assertThat(p.version()).isEqualTo(2);
      assertThat(p.bytes()).isEqualTo(b("two"));
      assertThat(p.publishedBy()).isEqualTo("alice");
      assertThat(s.newest(Suite.GM).orElseThrow().bytes()).isEqualTo(b("gm one"));
    }
  }

  @Test
  void newest_storedBytesNoLongerMatchTheirHash_refusedNotServed() throws Exception {
    try (HubStore s = HubStore.open(HubStore.h2Url(dir), null, null, 2)) {
      s.publish(Suite.INTL, 1, b("the bundle"), "alice", Instant.now());
    }
    try (Connection c = DriverManager.getConnection(HubStore.h2Url(dir))) {
      c.createStatement().executeUpdate("UPDATE bundle_versions SET bytes = X'00'");
    }
    try (HubStore s = HubStore.open(HubStore.h2Url(dir), null, null, 2)) {
      assertThatThrownBy(() -> s.newest(Suite.INTL)).isInstanceOf(SQLException.class)
          .hasMessageContaining("do not match their SHA-256");
    }
  }

  @Test
  void open_unsupportedUrl_orUnreachableDatabase_failsWithAClearError() {
    assertThatThrownBy(() -> HubStore.open("jdbc:sqlite:x", null, null, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HubStore.open("jdbc:postgresql://127.0.0.1:1/none", "u", null, 1))
        .isInstanceOf(SQLException.class).hasMessageContaining("cannot open the hub database");
  }
}
