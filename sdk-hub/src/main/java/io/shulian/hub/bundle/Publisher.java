package io.shulian.hub.bundle;

import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.audit.HashAlgorithm;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.BundleException;
import io.shulian.core.trust.BundleHolder;
import io.shulian.core.trust.CityBundle;
import io.shulian.hub.audit.AuditUnavailableException;
import io.shulian.hub.audit.HubAudit;
import io.shulian.hub.store.HubAction;
import io.shulian.hub.store.HubStore;
import io.shulian.hub.store.PublishedBundle;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a signed city bundle: verifies it against the suite's city root (signature, format,
 * validity now, no grace), refuses a version not newer than the published one, stores it in one
 * database transaction whose last step before the commit is the durable audit record ({@link
 * HubAudit}: no record, no commit), and only then hands it to the long-poll waiters. Refusals are
 * audited too. Runs on one thread, so publishes of a suite are serialised.
 */
public final class Publisher {
  private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);

  private final Map<Suite, List<X509Certificate>> roots;
  private final HubStore store;
  private final BundleBoard board;
  private final @Nullable BundleHolder clientTrust;
  private final HubAudit audit;
  private final PartyIdentity hub;
  private final ExecutorService thread;

  /** What a publish came to; {@code code} is a stable problem code when refused. */
  public record Result(boolean published, String code, String detail, long version, String sha256) {}

  /** How a publish is audited: the purpose and the request that caused it. */
  public record Cause(String purpose, String method, String path) {
    static Cause upload(Suite suite) {
      return new Cause("publish", "POST", "/v1/admin/bundle/" + HubStore.suiteName(suite));
    }
  }

  public Publisher(Map<Suite, List<X509Certificate>> roots, HubStore store, BundleBoard board,
      @Nullable BundleHolder clientTrust, HubAudit audit, PartyIdentity hub, ExecutorService thread) {
    this.roots = Map.copyOf(roots);
    this.store = store;
    this.board = board;
    this.clientTrust = clientTrust;
    this.audit = audit;
    this.hub = hub;
    this.thread = thread;
  }

  /** Publishes {@code jws} as the newest bundle of {@code suite} for {@code operator}, off the caller's thread. */
  public CompletableFuture<Result> publish(Suite suite, byte[] jws, String operator) {
    return CompletableFuture.supplyAsync(() -> publishNow(suite, jws, operator, null, Cause.upload(suite), true), thread);
  }

  /** Runs {@code task} on the publishing thread, serialised with every publish. */
  <T> CompletableFuture<T> onPublishThread(java.util.function.Supplier<T> task) {
    return CompletableFuture.supplyAsync(task, thread);
  }

  /** Refuses before any side effect (a CA revocation) while the audit log cannot record the change. */
  void checkAudit() throws AuditUnavailableException {
    audit.checkWritable();
  }

  /** The city roots bundles are verified against, per suite. */
  Map<Suite, List<X509Certificate>> roots() {
    return roots;
  }

  /**
   * Publishes on the calling thread (the publishing thread): verify, store with {@code alongside}
   * in one transaction, audit, then wake the waiters.
   */
  Result publishNow(Suite suite, byte[] jws, String operator, HubStore.@Nullable InTransaction alongside, Cause cause) {
    return publishNow(suite, jws, operator, alongside, cause, false);
  }

  /**
   * As above; {@code uploaded}: the bundle was signed elsewhere, so it must keep every incident
   * action in force (a bundle the hub authors starts from the newest one and keeps them).
   */
  private Result publishNow(Suite suite, byte[] jws, String operator, HubStore.@Nullable InTransaction alongside, Cause cause,
      boolean uploaded) {
    Instant now = Instant.now();
    byte[] digest = HubAudit.sha256(jws);
    String sha = HexFormat.of().formatHex(digest);
    try {
      // nothing changes that the audit log cannot record
      audit.checkWritable();
    } catch (AuditUnavailableException e) {
      return unavailable(0, sha);
    }
    List<X509Certificate> r = roots.get(suite);
    if (r == null) {
      return refuse(suite, operator, digest, jws.length, 0, "SUITE_NOT_SERVED",
          "this hub has no city root for suite " + HubStore.suiteName(suite), now, cause);
    }
    CityBundle b;
    try {
      b = CityBundle.verify(jws, r, now, Duration.ZERO);
    } catch (BundleException e) {
      return refuse(suite, operator, digest, jws.length, 0, "BUNDLE_INVALID", e.getMessage(), now, cause);
    }
    long version = b.version();
    if (uploaded) {
      List<String> dropped;
      try {
        dropped = droppedIncidents(suite, b);
      } catch (java.sql.SQLException e) {
        return new Result(false, "DATABASE_UNAVAILABLE", "the actions in force could not be read; try again", version, sha);
      }
      if (!dropped.isEmpty()) {
        return refuse(suite, operator, digest, jws.length, version, "INCIDENT_DROPPED", "the bundle drops incident actions "
            + "in force: " + String.join("; ", dropped) + ". Build it from the newest published bundle (it carries them), "
            + "or lift them first", now, cause);
      }
    }
    AuditRecord published = record(suite, operator, digest, jws.length, version, AuditDecision.Effect.PERMIT, "PUBLISHED",
        201, now, cause);
    try {
      // the record is the transaction's last step before the commit: without it nothing is stored
      HubStore.PublishResult pr = audit.commitWith(published, beforeCommit -> store.publish(suite, version, jws, operator,
          now, c -> {
            if (alongside != null) {
              alongside.run(c);
            }
            beforeCommit.append();
          }), x -> x == HubStore.PublishResult.PUBLISHED);
      if (pr == HubStore.PublishResult.NOT_NEWER) {
        long newest = board.newest(suite).map(PublishedBundle::version).orElse(0L);
        return refuse(suite, operator, digest, jws.length, version, "BUNDLE_NOT_NEWER",
            "version " + version + " is not newer than the published version " + newest, now, cause);
      }
    } catch (java.sql.SQLException e) {
      LOG.atError().addKeyValue("event", "hub_publish_database_failed").addKeyValue("version", version)
          .log("publish of bundle v{} failed in the database: {}", version, e.getMessage());
      return new Result(false, "DATABASE_UNAVAILABLE", "the bundle was not stored; try again", version, sha);
    } catch (AuditUnavailableException e) {
      return unavailable(version, sha);
    }
    try {
      PublishedBundle stored = store.newest(suite).orElseThrow();
      board.offer(stored);
    } catch (java.sql.SQLException e) {
      // stored but not re-read: the board catches up on the next publish or restart
      LOG.atError().addKeyValue("event", "hub_publish_reread_failed").log("{}", e.getMessage());
    }
    if (clientTrust != null && suite == hub.suite()) {
      try {
        clientTrust.update(jws);
      } catch (BundleException e) {
        LOG.atWarn().addKeyValue("event", "hub_client_trust_not_updated").log("{}", e.getMessage());
      }
    }
    LOG.atInfo().addKeyValue("event", "hub_bundle_published").addKeyValue("suite", HubStore.suiteName(suite))
        .addKeyValue("version", version).addKeyValue("operator", operator).log("published city bundle v{}", version);
    return new Result(true, "PUBLISHED", "published", version, sha);
  }

  /** The incident actions in force that {@code b} does not carry, described; empty if it carries all. */
  private List<String> droppedIncidents(Suite suite, CityBundle b) throws java.sql.SQLException {
    List<String> dropped = new java.util.ArrayList<>();
    for (HubAction a : store.actionsInForce(suite)) {
      boolean kept;
      try {
        kept = switch (a.kind()) {
          case SUSPEND_PARTY -> b.incidents().isSuspended(PartyId.parse(a.target()));
          case FREEZE_RESOURCE -> b.incidents().isFrozen(a.target());
          case REVOKE_GRANT -> b.revokedGrants().stream().anyMatch(g -> g.grantKey().equals(a.target()));
          case EMERGENCY_CRL -> b.crl().getRevokedCertificate(new java.math.BigInteger(a.target(), 16)) != null;
        };
      } catch (IllegalArgumentException e) {
        kept = false;
      }
      if (!kept) {
        dropped.add(a.kind().cliName() + " " + a.target() + " (action " + a.id() + ")");
      }
    }
    return dropped;
  }

  private static Result unavailable(long version, String sha) {
    return new Result(false, AuditUnavailableException.CODE, "the hub's audit log is not writable; nothing was changed",
        version, sha);
  }

  private Result refuse(Suite suite, String operator, byte[] digest, int length, long version, String code,
      String detail, Instant now, Cause cause) {
    audit.note(record(suite, operator, digest, length, version, AuditDecision.Effect.DENY, code, 409, now, cause));
    LOG.atWarn().addKeyValue("event", "hub_publish_refused").addKeyValue("code", code)
        .addKeyValue("operator", operator).log("bundle publish refused: {}", detail);
    return new Result(false, code, detail, version, HexFormat.of().formatHex(digest));
  }

  /** The audit record of a publish or a refused one. */
  private AuditRecord record(Suite suite, String operator, byte[] digest, int length, long version,
      AuditDecision.Effect effect, String code, int status, Instant now, Cause cause) {
    return AuditRecord.builder()
        .time(now)
        .envelopeId("hub-publish-" + java.util.UUID.randomUUID())
        .direction(Direction.REQUEST_IN)
        .sender(operator)
        .receiver(hub.party())
        .resource("bundle/" + HubStore.suiteName(suite) + (version > 0 ? "/v" + version : ""))
        .purpose(cause.purpose())
        .decision(AuditDecision.builder(effect).reasonCodes(List.of(code)).build())
        .payloadDigest(HashAlgorithm.SHA_256, digest)
        .payloadBytes(length)
        .status(status)
        .outcome(code)
        .latency(Duration.between(now, Instant.now()).abs())
        .app(operator)
        .request(cause.method(), cause.path())
        .build();
  }
}
