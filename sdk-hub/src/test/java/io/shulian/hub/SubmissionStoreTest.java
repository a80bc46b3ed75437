package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shulian.core.catalog.CatalogSubmission;
import io.shulian.hub.review.SubmissionStore;
import io.shulian.hub.store.HubStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The V4 table on embedded H2 and on a real PostgreSQL server: the same code, the same results. */
class SubmissionStoreTest {
  @TempDir Path dir;

  static SubmissionStore.Submission pending(String id, String jti, Instant at) {
    return new SubmissionStore.Submission(id, jti, "440600/p", CatalogSubmission.Action.REGISTER, "r.x", "code: r.x\n名: 数据",
        "e30.e30.sig", "intl", 7, "sha256:00", SubmissionStore.State.PENDING, at, null, null, null, null);
  }

  static boolean approve(HubStore db, String id, Instant at) throws SQLException {
    try (Connection c = db.connection()) {
      try {
        SubmissionStore.approve(c, id, "bob", at, 42);
        c.commit();
        return true;
      } catch (SQLException e) {
        c.rollback();
        if ("40001".equals(e.getSQLState())) {
          return false;
        }
        throw e;
      }
    }
  }

  static void exercise(HubStore db) throws Exception {
    SubmissionStore s = new SubmissionStore(db);
    Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    String id = "sub-00000000-0000-0000-0000-000000000001";
    s.insert(pending(id, "jti-1", t), null);
    SubmissionStore.Submission back = s.get(id).orElseThrow();
    assertThat(back.document()).isEqualTo("code: r.x\n名: 数据");
    assertThat(back.baseVersion()).isEqualTo(7);
    assertThat(back.bundleVersion()).isNull();
    assertThat(s.ofParty("440600/p", 10)).hasSize(1);
    assertThat(s.ofParty("440600/other", 10)).isEmpty();
    // the same signed token (jti) twice is refused by the unique key, reported as 23505
    assertThatThrownBy(() -> s.insert(pending("sub-00000000-0000-0000-0000-000000000002", "jti-1", t), null))
        .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("23505"));

    // approve and reject racing: exactly one wins
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Callable<Boolean> approve = () -> approve(db, id, t);
      Callable<Boolean> reject = () -> s.reject(id, "alice", t, "no", null);
      Future<Boolean> a = pool.submit(approve);
      Future<Boolean> b = pool.submit(reject);
      assertThat(List.of(a.get(), b.get())).containsExactlyInAnyOrder(true, false);
    } finally {
      pool.shutdown();
    }
    SubmissionStore.Submission decided = s.get(id).orElseThrow();
    assertThat(decided.state()).isIn(SubmissionStore.State.APPROVED, SubmissionStore.State.REJECTED);
    assertThat(decided.decidedAt()).isEqualTo(t);
    assertThat(approve(db, id, t)).isFalse();
    assertThat(s.reject(id, "alice", t, "again", null)).isFalse();
    assertThat(s.get(id).orElseThrow().state()).isEqualTo(decided.state());
    s.insert(pending("sub-00000000-0000-0000-0000-000000000003", "jti-3", t.plusSeconds(1)), null);
    assertThat(s.recent(10).get(0).state()).isEqualTo(SubmissionStore.State.PENDING);
  }

  @Test
  void submissionStore_h2_roundTripReplayRefusedOneDecisionOnly() throws Exception {
    try (HubStore db = HubStore.open(HubStore.h2Url(dir), null, null, 4)) {
      exercise(db);
    }
  }

  @Test
  void submissionStore_postgres_roundTripReplayRefusedOneDecisionOnly() throws Exception {
    Optional<Path> bin = PostgresServer.binaries();
    if (System.getenv("CI") == null) {
      assumeTrue(bin.isPresent(), "PostgreSQL is not installed (apt-get install postgresql)");
    }
    try (PostgresServer pg = PostgresServer.start(bin.orElseThrow(), dir);
        HubStore db = HubStore.open(pg.jdbcUrl(), PostgresServer.USER, null, 4)) {
      exercise(db);
    }
  }
}
