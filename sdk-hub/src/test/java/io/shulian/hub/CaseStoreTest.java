package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shulian.hub.apply.CaseState;
import io.shulian.hub.apply.CaseStore;
import io.shulian.hub.store.HubStore;
import java.nio.file.Path;
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

/** The V3 tables on embedded H2 and on a real PostgreSQL server: the same code, the same results. */
class CaseStoreTest {
  @TempDir Path dir;

  static CaseStore.Application app(String id, Instant at) {
    return new CaseStore.Application(id, "440600/c", "440600/p", "r.x", "statistics", List.of("a", "b.c", "d[].e"),
        at, at.plusSeconds(3600), "law § 1", 5, CaseState.SUBMITTED, at, null, null, null, null);
  }

  /** Round trip, one answer only (also under a race), overdue count, objections. */
  static void exercise(HubStore db) throws Exception {
    CaseStore s = new CaseStore(db);
    Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    String id = "app-00000000-0000-0000-0000-000000000001";
    s.insert(app(id, t.minusSeconds(600)), null);
    CaseStore.Application back = s.application(id).orElseThrow();
    assertThat(back.fields()).containsExactly("a", "b.c", "d[].e");
    assertThat(back.submittedAt()).isEqualTo(t.minusSeconds(600));
    assertThat(back.answeredAt()).isNull();
    assertThat(s.applicationsOf("440600/p")).hasSize(1);
    assertThat(s.applicationsOf("440600/other")).isEmpty();
    assertThat(s.countSubmittedBefore(CaseState.Kind.APPLICATION, t.minusSeconds(60))).isEqualTo(1);
    assertThat(s.countSubmittedBefore(CaseState.Kind.APPLICATION, t.minusSeconds(6000))).isZero();
    // the same id twice is refused by the primary key
    assertThatThrownBy(() -> s.insert(app(id, t), null)).isInstanceOf(java.sql.SQLException.class);

    // two answers racing: exactly one wins
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Callable<Boolean> approve = () -> s.answer(CaseState.Kind.APPLICATION, id, CaseState.APPROVED, t, null, "g-1", "tok", null);
      Callable<Boolean> decline = () -> s.answer(CaseState.Kind.APPLICATION, id, CaseState.DECLINED, t, "no", null, null, null);
      Future<Boolean> a = pool.submit(approve);
      Future<Boolean> b = pool.submit(decline);
      assertThat(List.of(a.get(), b.get())).containsExactlyInAnyOrder(true, false);
    } finally {
      pool.shutdown();
    }
    CaseStore.Application answered = s.application(id).orElseThrow();
    assertThat(answered.state()).isIn(CaseState.APPROVED, CaseState.DECLINED);
    assertThat(answered.answeredAt()).isEqualTo(t);
    assertThat(s.answer(CaseState.Kind.APPLICATION, id, CaseState.WITHDRAWN, t, null, null, null, null)).isFalse();
    assertThat(s.countSubmittedBefore(CaseState.Kind.APPLICATION, t)).isZero();

    String oid = "obj-00000000-0000-0000-0000-000000000001";
    s.insert(new CaseStore.Objection(oid, "440600/c", "440600/p", "r.x", "rec 1", "wrong 数据", CaseState.SUBMITTED, t, null, null), null);
    assertThat(s.answer(CaseState.Kind.OBJECTION, oid, CaseState.CORRECTED, t.plusSeconds(5), "fixed", null, null, null)).isTrue();
    CaseStore.Objection o = s.objection(oid).orElseThrow();
    assertThat(o.state()).isEqualTo(CaseState.CORRECTED);
    assertThat(o.description()).isEqualTo("wrong 数据");
    assertThat(o.answerReason()).isEqualTo("fixed");
    assertThat(s.objectionsOf("440600/c")).hasSize(1);
  }

  @Test
  void caseStore_h2_roundTripOneAnswerOnlyOverdueCount() throws Exception {
    try (HubStore db = HubStore.open(HubStore.h2Url(dir), null, null, 4)) {
      exercise(db);
    }
  }

  @Test
  void caseStore_postgres_roundTripOneAnswerOnlyOverdueCount() throws Exception {
    Optional<Path> bin = PostgresServer.binaries();
    if (System.getenv("CI") == null) {
      assumeTrue(bin.isPresent(), "PostgreSQL is not installed (apt-get install postgresql)");
    }
    try (PostgresServer pg = PostgresServer.start(bin.orElseThrow(), dir);
        HubStore db = HubStore.open(pg.jdbcUrl(), PostgresServer.USER, null, 4)) {
      exercise(db);
    }
  }

  @Test
  void caseState_onlyFromSubmitted_andOnlyTheKindsOwnAnswers() {
    for (CaseState s : CaseState.values()) {
      for (CaseState n : CaseState.values()) {
        boolean app = s.canMoveTo(CaseState.Kind.APPLICATION, n);
        boolean obj = s.canMoveTo(CaseState.Kind.OBJECTION, n);
        if (s != CaseState.SUBMITTED || n == CaseState.SUBMITTED) {
          assertThat(app || obj).as(s + "->" + n).isFalse();
        }
      }
    }
    assertThat(CaseState.SUBMITTED.canMoveTo(CaseState.Kind.OBJECTION, CaseState.APPROVED)).isFalse();
    assertThat(CaseState.SUBMITTED.canMoveTo(CaseState.Kind.APPLICATION, CaseState.CORRECTED)).isFalse();
    assertThat(CaseState.SUBMITTED.canMoveTo(CaseState.Kind.OBJECTION, CaseState.WITHDRAWN)).isTrue();
    assertThat(CaseState.SUBMITTED.canMoveTo(CaseState.Kind.APPLICATION, CaseState.EXPIRED)).isTrue();
  }
}
