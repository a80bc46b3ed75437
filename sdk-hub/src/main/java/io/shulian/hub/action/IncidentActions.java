package io.shulian.hub.action;

import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.audit.HashAlgorithm;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.CityBundle;
import io.shulian.core.trust.Incidents;
import io.shulian.core.trust.RevocationReason;
import io.shulian.hub.bundle.BundleAuthor;
import io.shulian.hub.audit.HubAudit;
import io.shulian.hub.bundle.Publisher;
import io.shulian.hub.store.HubAction;
import io.shulian.hub.store.HubStore;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes and lifts incident actions: each one is a {@link BundleAuthor.Change} published as an
 * emergency bundle at once, with the action's row written in the same database transaction as the
 * bundle version and its audit record (the publish's, appended before the commit), then a record
 * of the outcome (taken, lifted or refused).
 */
public final class IncidentActions {
  private static final Logger LOG = LoggerFactory.getLogger(IncidentActions.class);

  private final BundleAuthor author;
  private final HubStore store;
  private final HubAudit audit;
  private final String hubParty;

  /** What an action request came to: {@code code} is a stable problem code when refused. */
  public record Outcome(boolean done, String code, String detail, @Nullable HubAction action) {}

  public IncidentActions(BundleAuthor author, HubStore store, HubAudit audit, String hubParty) {
    this.author = author;
    this.store = store;
    this.audit = audit;
    this.hubParty = hubParty;
  }

  /**
   * Takes an action: suspends a party ({@code target}: its party id), freezes a resource (its
   * catalog id), revokes a grant ({@code <issuer party id>#<grant id>}) or revokes a certificate of
   * the city CA ({@code target}: its serial number in hex), and publishes the emergency bundle.
   */
  public CompletableFuture<Outcome> take(HubAction.Kind kind, String target, String reason, Suite suite, String operator) {
    String path = "/v1/admin/actions";
    String checkedReason;
    try {
      checkedReason = Incidents.checkReason(reason);
      checkTarget(kind, target);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(audited(new Outcome(false, "MALFORMED_ACTION", String.valueOf(e.getMessage()), null),
          kind.cliName(), target, operator, "POST", path));
    }
    AtomicLong id = new AtomicLong();
    BundleAuthor.Change change = new BundleAuthor.Change() {
      @Override
      public void apply(CityBundle.Draft d, CityBundle previous, CityAuthority ca) throws BundleAuthor.Refused {
        inForce(suite, kind, target).ifPresent(a -> {
          throw new InForce(a.id());
        });
        switch (kind) {
          case SUSPEND_PARTY -> {
            PartyId p = PartyId.parse(target);
            if (previous.member(p).isEmpty()) {
              throw new BundleAuthor.Refused("UNKNOWN_PARTY", "party " + p + " is not a member of the city bundle");
            }
            d.incidents(d.incidents().withSuspended(p, checkedReason));
          }
          case FREEZE_RESOURCE -> d.incidents(d.incidents().withFrozen(target, checkedReason));
          case REVOKE_GRANT -> {
            int hash = target.indexOf('#');
            d.revokeGrant(CityBundle.RevokedGrant.of(PartyId.parse(target.substring(0, hash)), target.substring(hash + 1),
                null, checkedReason));
          }
          case EMERGENCY_CRL -> {
            boolean revoked;
            try {
              revoked = ca.revoke(new BigInteger(target, 16), RevocationReason.KEY_COMPROMISE);
            } catch (IllegalArgumentException e) {
              throw new BundleAuthor.Refused("UNKNOWN_CERTIFICATE", "the city CA issued no certificate with serial " + target);
            } catch (java.io.IOException e) {
              throw new BundleAuthor.Refused("CA_UNAVAILABLE", "the city CA state could not be updated");
            }
            if (!revoked) {
              LOG.atInfo().addKeyValue("event", "hub_action_cert_already_revoked").log("certificate {} was already revoked", target);
            }
          }
        }
      }

      @Override
      public HubStore.InTransaction rows(long version, Instant at) {
        return c -> id.set(HubStore.insertAction(c, kind, target, checkedReason, operator, at, suite, version));
      }
    };
    return run(change, suite, operator, new Publisher.Cause(kind.cliName(), "POST", path))
        .thenApply(r -> finish(r, id.get(), kind.cliName(), target, operator, "POST", path));
  }

  /** Lifts action {@code id} (a certificate revocation is final and cannot be lifted). */
  public CompletableFuture<Outcome> lift(long id, String reason, String operator) {
    String path = "/v1/admin/actions/" + id;
    Optional<HubAction> found;
    String checkedReason;
    try {
      checkedReason = Incidents.checkReason(reason);
      found = store.action(id);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(audited(new Outcome(false, "MALFORMED_ACTION", String.valueOf(e.getMessage()), null),
          "lift", Long.toString(id), operator, "DELETE", path));
    } catch (SQLException e) {
      return CompletableFuture.completedFuture(audited(new Outcome(false, "DATABASE_UNAVAILABLE",
          "the action could not be read; try again", null), "lift", Long.toString(id), operator, "DELETE", path));
    }
    if (found.isEmpty()) {
      return CompletableFuture.completedFuture(audited(new Outcome(false, "ACTION_NOT_FOUND", "no action " + id, null),
          "lift", Long.toString(id), operator, "DELETE", path));
    }
    HubAction a = found.get();
    if (a.kind() == HubAction.Kind.EMERGENCY_CRL) {
      return CompletableFuture.completedFuture(audited(new Outcome(false, "NOT_LIFTABLE",
          "a certificate revocation is final; issue a new certificate instead", a), "lift", a.target(), operator, "DELETE", path));
    }
    if (!a.inForce()) {
      return CompletableFuture.completedFuture(audited(new Outcome(false, "ACTION_LIFTED",
          "action " + id + " was already lifted", a), "lift", a.target(), operator, "DELETE", path));
    }
    Suite suite = "gm".equals(a.suite()) ? Suite.GM : Suite.INTL;
    BundleAuthor.Change change = new BundleAuthor.Change() {
      @Override
      public void apply(CityBundle.Draft d, CityBundle previous, CityAuthority ca) {
        switch (a.kind()) {
          case SUSPEND_PARTY -> d.incidents(d.incidents().withoutSuspended(PartyId.parse(a.target())));
          case FREEZE_RESOURCE -> d.incidents(d.incidents().withoutFrozen(a.target()));
          case REVOKE_GRANT -> d.unrevokeGrant(a.target());
          case EMERGENCY_CRL -> throw new IllegalStateException("not liftable");
        }
      }

      @Override
      public HubStore.InTransaction rows(long version, Instant at) {
        return c -> HubStore.liftAction(c, id, operator, at, version, checkedReason);
      }
    };
    return run(change, suite, operator, new Publisher.Cause("lift-" + a.kind().cliName(), "DELETE", path))
        .thenApply(r -> finish(r, id, "lift", a.target(), operator, "DELETE", path));
  }

  /** The newest actions, in force or lifted. */
  public List<HubAction> list(int limit) throws SQLException {
    return store.recentActions(limit);
  }

  private CompletableFuture<Publisher.Result> run(BundleAuthor.Change change, Suite suite, String operator,
      Publisher.Cause cause) {
    BundleAuthor.Change guarded = new BundleAuthor.Change() {
      @Override
      public void apply(CityBundle.Draft d, CityBundle previous, CityAuthority ca) throws BundleAuthor.Refused {
        try {
          change.apply(d, previous, ca);
        } catch (InForce e) {
          throw new BundleAuthor.Refused("ACTION_IN_FORCE", "the same action is already in force (action " + e.id + ")");
        } catch (IllegalArgumentException e) {
          throw new BundleAuthor.Refused("MALFORMED_ACTION", String.valueOf(e.getMessage()));
        } catch (IllegalStateException e) {
          throw new BundleAuthor.Refused("DATABASE_UNAVAILABLE", "the actions in force could not be read; try again");
        }
      }

      @Override
      public HubStore.@Nullable InTransaction rows(long version, Instant at) {
        return change.rows(version, at);
      }
    };
    return author.publish(suite, guarded, operator, cause);
  }

  private Optional<HubAction> inForce(Suite suite, HubAction.Kind kind, String target) {
    try {
      return store.actionsInForce(suite).stream().filter(a -> a.kind() == kind && a.target().equals(target)).findFirst();
    } catch (SQLException e) {
      throw new IllegalStateException("database unavailable", e);
    }
  }

  private Outcome finish(Publisher.Result r, long id, String what, String target, String operator, String method,
      String path) {
    Outcome o;
    if (!r.published()) {
      o = new Outcome(false, r.code(), r.detail(), null);
    } else {
      HubAction a = null;
      try {
        a = store.action(id).orElse(null);
      } catch (SQLException e) {
        LOG.atWarn().addKeyValue("event", "hub_action_reread_failed").log("{}", e.getMessage());
      }
      o = new Outcome(true, "POST".equals(method) ? "ACTION_TAKEN" : "ACTION_LIFTED_NOW",
          "published bundle v" + r.version(), a);
    }
    return audited(o, what, target, operator, method, path);
  }

  private Outcome audited(Outcome o, String what, String target, String operator, String method, String path) {
    Instant now = Instant.now();
    byte[] digest = HubAudit.sha256((what + " " + target).getBytes(StandardCharsets.UTF_8));
    HubAction action = o.action();
    long id = action == null ? 0 : action.id();
    AuditRecord rec = AuditRecord.builder()
        .time(now)
        .envelopeId("hub-action-" + java.util.UUID.randomUUID())
        .direction(Direction.REQUEST_IN)
        .sender(operator)
        .receiver(hubParty)
        .resource("action/" + (id > 0 ? id + "/" : "") + what + "/" + target)
        .purpose(what)
        .decision(AuditDecision.builder(o.done() ? AuditDecision.Effect.PERMIT : AuditDecision.Effect.DENY)
            .reasonCodes(List.of(o.code())).build())
        .payloadDigest(HashAlgorithm.SHA_256, digest)
        .payloadBytes(0)
        .status(o.done() ? 200 : 409)
        .outcome(o.code())
        .latency(Duration.ZERO)
        .app(operator)
        .request(method, path)
        .build();
    // the change itself was recorded before its commit (the publish's record); this one says why
    audit.note(rec);
    LOG.atInfo().addKeyValue("event", o.done() ? "hub_action_done" : "hub_action_refused").addKeyValue("code", o.code())
        .addKeyValue("operator", operator).addKeyValue("action", what).log("{} {}: {}", what, target, o.detail());
    return o;
  }

  /** Checks the target's form for its kind. */
  static void checkTarget(HubAction.Kind kind, String target) {
    if (target.length() > 256) {
      throw new IllegalArgumentException("target is longer than 256 characters");
    }
    switch (kind) {
      case SUSPEND_PARTY -> PartyId.parse(target);
      case FREEZE_RESOURCE -> Incidents.checkResource(target);
      case REVOKE_GRANT -> {
        int hash = target.indexOf('#');
        if (hash < 1) {
          throw new IllegalArgumentException("a grant is named <issuer party id>#<grant id>");
        }
        CityBundle.RevokedGrant.of(PartyId.parse(target.substring(0, hash)), target.substring(hash + 1), null, null);
      }
      case EMERGENCY_CRL -> {
        if (!target.matches("[0-9a-f]{1,40}")) {
          throw new IllegalArgumentException("a certificate is named by its serial number in lower-case hex");
        }
      }
    }
  }

  /** The same action is already in force. */
  private static final class InForce extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final long id;

    InForce(long id) {
      super(null, null, false, false);
      this.id = id;
    }
  }
}
