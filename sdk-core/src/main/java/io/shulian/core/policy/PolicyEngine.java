package io.shulian.core.policy;

import io.shulian.core.catalog.InvalidDocumentException;
import io.shulian.core.party.AdministrativeLevel;
import io.shulian.core.party.PartyId;
import io.shulian.core.policy.CompiledPolicy.CompiledRule;
import io.shulian.core.policy.CompiledPolicy.ResourceIndex;
import io.shulian.core.policy.mask.MaskFunction;
import io.shulian.core.policy.mask.MaskSpec;
import io.shulian.core.policy.mask.Masker;
import io.shulian.core.policy.mask.MissingHashKeyException;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Decides requests against the current policy set.
 *
 * <p>Semantics: default deny; if any applicable FORBID covers the request the answer is DENY; else
 * if PERMIT rules apply and together cover every requested field the answer is PERMIT, with their
 * masks merged (strictest wins) and every catalog field that is not released dropped; a FORBID
 * whose evaluation fails denies. Core-level fields are released only by a rule that names them.
 * A resource with an important or core field keeps responses to its catalog fields (members no field
 * names are dropped). Return flow is released only to a requester below the provider and within its
 * division (GB/T 2260 code prefix), whatever the rules say.
 *
 * <p>Hot swap: {@link #swap} replaces the compiled policy and its decision cache in one atomic
 * step; every decision reads the reference once, so no decision mixes two versions.
 *
 * <p>Thread-safe. Decisions are cached per request unless they depend on the clock (time windows)
 * or on counters (rates); grant time, revocation and use count are checked on every call.
 */
public final class PolicyEngine {
  /** Stored in the decision cache: the decision and whether a PERMIT spends one use of the grant. */
  static final class Evaluation {
    final Decision decision;
    final boolean usesGrant;

    Evaluation(Decision decision, boolean usesGrant) {
      this.decision = decision;
      this.usesGrant = usesGrant;
    }
  }

  private volatile CompiledPolicy current;
  private final Clock clock;
  private final GrantRevocations revocations;
  private final GrantUseCounter uses;
  private final RateLimiter rates;
  private final long cacheSize;
  private final @Nullable GrantVerifier grants;

  private final byte @Nullable [] maskHashKey;
  private final boolean decisionsOnly;

  private PolicyEngine(Builder b) {
    this.clock = b.clock;
    this.revocations = b.revocations;
    this.uses = b.uses;
    this.rates = b.rates;
    this.cacheSize = b.cacheSize;
    this.grants = b.grants;
    this.maskHashKey = b.maskHashKey;
    this.decisionsOnly = b.decisionsOnly;
    checkHashKey(b.set);
    this.current = new CompiledPolicy(b.set, cacheSize);
  }

  /** Refuses a set that hashes a field when this engine has no key to hash with (and may mask). */
  private void checkHashKey(PolicySet set) {
    if (maskHashKey == null && !decisionsOnly) {
      List<String> hashed = set.hashedFields();
      if (!hashed.isEmpty()) {
        throw new MissingHashKeyException(hashed, "PolicyEngine.Builder.maskHashKey");
      }
    }
  }

  /**
   * Starts a masker for a response released under {@code decision}, with this engine's hash key
   * (see {@link Decision#masker()}).
   *
   * @throws IllegalStateException for a DENY
   */
  public Masker.Builder masker(Decision decision) {
    Masker.Builder b = decision.masker();
    byte[] key = maskHashKey;
    if (key != null) {
      b.hashKey(key);
    }
    return b;
  }

  /** Starts an engine for a policy set. */
  public static Builder builder(PolicySet set) {
    return new Builder(set);
  }

  /** Returns the policy set decisions are made against now. */
  public PolicySet policySet() {
    return current.set;
  }

  /** Returns the version hash of the current policy set. */
  public String versionHash() {
    return current.version;
  }

  /**
   * Replaces the policy set atomically (with a fresh decision cache). Decisions under way finish
   * against the old set; later ones use the new one.
   *
   * @throws MissingHashKeyException if the new set hashes a field and the engine has no hash key
   *     (the current set stays)
   */
  public void swap(PolicySet set) {
    checkHashKey(Objects.requireNonNull(set, "set"));
    current = new CompiledPolicy(set, cacheSize);
  }

  /**
   * Loads a policy set from {@code source} and swaps it in; on any problem the current set stays.
   *
   * @throws InvalidDocumentException listing every problem of the new documents
   */
  public PolicySet reload(PolicySource source) throws InvalidDocumentException, IOException {
    PolicySet s = source.load();
    swap(s);
    return s;
  }

  /**
   * Verifies a grant token with the configured {@link GrantVerifier} and decides the request with
   * it; a token that does not verify is a DENY with the verifier's reason code.
   *
   * @throws IllegalStateException if the engine was built without a grant verifier
   */
  public Decision decide(PolicyRequest req, String grantToken) {
    if (grants == null) {
      throw new IllegalStateException("this engine has no grant verifier; set one with Builder.grantVerifier");
    }
    VerifiedGrant vg;
    try {
      vg = grants.verify(grantToken);
    } catch (GrantException e) {
      return Decision.deny(ReasonCode.of(e.reason()), e.getMessage(), current.version);
    }
    return decide(req.withGrant(vg));
  }

  /** Decides a request. Never throws for a bad request: the answer is then a DENY with its reason. */
  public Decision decide(PolicyRequest req) {
    CompiledPolicy p = current;
    ResourceIndex ri = p.byResource.get(req.resource());
    if (ri == null) {
      return Decision.deny(ReasonCode.UNKNOWN_RESOURCE, "resource " + req.resource() + " is not in the catalog", p.version);
    }
    Instant now = clock.instant();
    VerifiedGrant vg = req.grant();
    GrantException grantProblem = null;
    if (vg != null) {
      grantProblem = GrantVerifier.check(vg, ri.resource.provider(), req.subject(), req.resource(), req.purpose(),
          req.fields(), now, revocations);
      if (grantProblem != null) {
        // A presented grant that does not fit is refused outright, even where no grant is needed.
        return Decision.deny(List.of(new Reason(ReasonCode.of(grantProblem.reason()), grantProblem.getMessage())), List.of(), p.version);
      }
    }
    Evaluation ev;
    boolean cacheable = p.cache != null && grantProblem == null && !ri.dynamic[req.action().ordinal()];
    if (cacheable && p.cache != null) {
      ev = p.cache.getIfPresent(req);
      if (ev == null) {
        ev = evaluate(p, ri, req, null, now);
        p.cache.put(req, ev);
      }
    } else {
      ev = evaluate(p, ri, req, grantProblem, now);
    }
    if (ev.usesGrant && ev.decision.isPermit() && vg != null) {
      Grant g = vg.grant();
      boolean used;
      try {
        used = uses.tryUse(g.key(), g.maxUses(), g.expiresAt());
      } catch (RuntimeException e) {
        // a use that cannot be recorded is not granted (fail closed)
        Reason unavailable = new Reason(ReasonCode.GRANT_STATE_UNAVAILABLE, "the use of grant " + g.id()
            + " cannot be recorded: " + e.getMessage());
        return Decision.deny(e instanceof StateNotReplicatedException
            ? List.of(unavailable, new Reason(ReasonCode.STATE_NOT_REPLICATED, "the use of grant " + g.id()
                + " was counted but not replicated in time, so it is not honoured"))
            : List.of(unavailable), ev.decision.ruleIds(), p.version);
      }
      if (!used) {
        return Decision.deny(List.of(new Reason(ReasonCode.GRANT_USED_UP, "grant " + g.id() + " has been used its " + g.maxUses()
            + " time(s)")), ev.decision.ruleIds(), p.version);
      }
    }
    return ev.decision;
  }

  private Evaluation evaluate(CompiledPolicy p, ResourceIndex ri, PolicyRequest req, @Nullable GrantException grantProblem,
      Instant now) {
    String version = p.version;
    if (!p.set.catalog().purposes().containsKey(req.purpose())) {
      return new Evaluation(Decision.deny(ReasonCode.UNKNOWN_PURPOSE, "purpose " + req.purpose()
          + " is not in the catalog's purpose list", version), false);
    }
    int words = ri.words;
    long[] requested = null;
    List<String> rf = req.fields();
    if (!rf.isEmpty()) {
      requested = new long[words];
      for (int i = 0; i < rf.size(); i++) {
        Integer fi = ri.fieldIndex.get(rf.get(i));
        if (fi == null) {
          return new Evaluation(Decision.deny(ReasonCode.UNKNOWN_FIELD, "field " + rf.get(i) + " is not a field of resource "
              + req.resource(), version), false);
        }
        requested[fi >>> 6] |= 1L << fi;
      }
    }
    PartyId s = req.subject();
    AdministrativeLevel level = s.level();
    int ai = req.action().ordinal();
    if (req.action() == Action.RETURN_FLOW) {
      // Return flow is bound to the division, whatever the rules say: data flows down, within.
      PartyId provider = ri.resource.provider();
      if (!Divisions.within(s.divisionCode(), provider.divisionCode())) {
        return new Evaluation(Decision.deny(ReasonCode.RETURN_FLOW_OUTSIDE_DIVISION, "return flow releases data only within the"
            + " provider's division: requester division " + s.divisionCode() + " is not within " + provider.divisionCode(),
            version), false);
      }
      if (!ri.providerLevel.isAbove(level)) {
        return new Evaluation(Decision.deny(ReasonCode.RETURN_FLOW_NOT_DOWNWARD, "return flow goes from a higher level to a"
            + " lower one: the requester (" + level.name().toLowerCase(java.util.Locale.ROOT) + ") is not below the provider ("
            + ri.providerLevel.name().toLowerCase(java.util.Locale.ROOT) + ")", version), false);
      }
    }

    // 1. FORBID rules: any that applies to the whole resource denies; others remove fields.
    long[] forbidden = null;
    List<String> forbidIds = null;
    for (CompiledRule f : ri.forbids[ai]) {
      int notApplicable;
      try {
        if (!f.rule.subjectMatches(s)) {
          continue;
        }
        notApplicable = check(f.rule, ri, req, level, grantProblem, now);
      } catch (RuntimeException e) {
        return new Evaluation(Decision.deny(List.of(new Reason(ReasonCode.FORBID_ERROR, "forbid rule " + f.rule.id
            + " could not be evaluated, so it denies: " + e.getClass().getSimpleName())), List.of(f.rule.id), version), false);
      }
      if (notApplicable != OK) {
        continue;
      }
      if (f.allFields) {
        ReasonCode code = f.rule.derived ? ReasonCode.NOT_SHARED : ReasonCode.FORBIDDEN;
        String msg = f.rule.derived
            ? "resource " + req.resource() + " is not shared; legal basis: " + f.rule.basis
            : "forbidden by rule " + f.rule.id + "; basis: " + f.rule.basis;
        return new Evaluation(Decision.deny(List.of(new Reason(code, msg)), List.of(f.rule.id), version), false);
      }
      if (forbidden == null || forbidIds == null) {
        forbidden = new long[words];
        forbidIds = new ArrayList<>(2);
      }
      or(forbidden, f.bits);
      forbidIds.add(f.rule.id);
    }

    // 2. PERMIT rules: union of what they cover, masks merged.
    long[] covered = new long[words];
    MaskSpec[] masks = null;
    AuditLevel audit = AuditLevel.STANDARD;
    List<String> permitIds = null;
    List<CompiledRule> notApplied = null;
    List<CompiledRule> rateLimited = null; // and permits that failed to evaluate
    List<CompiledRule> rateStateUnavailable = null;
    boolean usesGrant = false;
    boolean dropUnlisted = ri.dropUnlisted;
    long[] grantBits = null;
    for (CompiledRule r : ri.permits[ai]) {
      if (!r.rule.subjectMatches(s)) {
        continue;
      }
      // Reasons are only spelled out if the request ends up denied: building messages is costly.
      int c;
      try {
        c = check(r.rule, ri, req, level, grantProblem, now);
      } catch (RuntimeException e) {
        // A permit that cannot be evaluated does not apply.
        if (rateLimited == null) {
          rateLimited = new ArrayList<>(2);
        }
        rateLimited.add(r);
        continue;
      }
      if (c != OK) {
        if (notApplied == null) {
          notApplied = new ArrayList<>(4);
        }
        notApplied.add(r);
        continue;
      }
      if (r.rule.rate != null) {
        boolean acquired;
        try {
          acquired = rates.tryAcquire(r.rule.id + "|" + s, r.rule.rate.max(), r.rule.rate.per(), now);
        } catch (RuntimeException e) {
          // a request that cannot be counted is not let through (fail closed)
          if (rateStateUnavailable == null) {
            rateStateUnavailable = new ArrayList<>(1);
          }
          rateStateUnavailable.add(r);
          continue;
        }
        if (!acquired) {
          if (rateLimited == null) {
            rateLimited = new ArrayList<>(2);
          }
          rateLimited.add(r);
          continue;
        }
      }
      long[] cov = r.bits;
      if (r.rule.grantRequired) {
        VerifiedGrant vg = Objects.requireNonNull(req.grant());
        if (grantBits == null) {
          grantBits = ri.bits(vg.grant().fields());
        }
        cov = and(cov, grantBits);
        usesGrant = true;
      }
      or(covered, cov);
      if (r.masks != null) {
        if (masks == null) {
          masks = new MaskSpec[ri.fieldNames.length];
        }
        for (int i = 0; i < masks.length; i++) {
          if (r.masks[i] != null) {
            masks[i] = MaskSpec.stricter(masks[i], r.masks[i]);
          }
        }
      }
      dropUnlisted |= r.rule.dropUnlisted;
      if (r.rule.audit != null && r.rule.audit.compareTo(audit) > 0) {
        audit = r.rule.audit;
      }
      if (permitIds == null) {
        permitIds = new ArrayList<>(2);
      }
      permitIds.add(r.rule.id);
    }
    if (permitIds == null) {
      List<Reason> reasons = new ArrayList<>();
      reasons.add(Reason.lazy(ReasonCode.NO_PERMIT, () -> "no rule permits " + s + " to " + req.action().wireName() + " "
          + req.resource() + " for purpose " + req.purpose()));
      if (notApplied != null) {
        for (CompiledRule r : notApplied) {
          reasons.add(reason(check(r.rule, ri, req, level, grantProblem, now), r.rule, ri, req, level, grantProblem));
        }
      }
      if (rateStateUnavailable != null) {
        for (CompiledRule r : rateStateUnavailable) {
          reasons.add(new Reason(ReasonCode.RATE_STATE_UNAVAILABLE, "rule " + r.rule.id
              + " is rate limited and its counter cannot be reached, so it does not apply"));
        }
      }
      if (rateLimited != null) {
        for (CompiledRule r : rateLimited) {
          Rule.Rate rate = r.rule.rate;
          reasons.add(rate == null
              ? new Reason(ReasonCode.PERMIT_ERROR, "permit rule " + r.rule.id + " could not be evaluated, so it does not apply")
              : new Reason(ReasonCode.RATE_LIMITED, "rule " + r.rule.id + " allows " + rate.max() + " request(s) per "
                  + rate.per() + " per consumer"));
        }
      }
      return new Evaluation(Decision.deny(reasons, List.of(), version), false);
    }

    // 3. Fields: requested ones must all be released; unrequested or unreleased ones are dropped.
    int n = ri.fieldNames.length;
    long[] released = covered.clone();
    if (forbidden != null) {
      for (int w = 0; w < words; w++) {
        released[w] &= ~forbidden[w];
      }
    }
    if (requested != null) {
      for (int i = 0; i < n; i++) {
        if (!has(requested, i) || has(released, i)) {
          continue;
        }
        String f = ri.fieldNames[i];
        if (forbidden != null && has(forbidden, i)) {
          return new Evaluation(Decision.deny(List.of(new Reason(ReasonCode.FIELD_FORBIDDEN, "field " + f + " is forbidden by rule(s) "
              + forbidIds)), Objects.requireNonNull(forbidIds), version), false);
        }
        if (ri.core[i]) {
          return new Evaluation(Decision.deny(List.of(new Reason(ReasonCode.CORE_FIELD_NOT_PERMITTED, "field " + f
              + " is core data; only a rule that names it can release it")), List.of(), version), false);
        }
        if (usesGrant && grantBits != null && !has(grantBits, i)) {
          return new Evaluation(Decision.deny(List.of(new Reason(ReasonCode.GRANT_FIELDS_NOT_GRANTED, "field " + f
              + " is not granted")), List.of(), version), false);
        }
        return new Evaluation(Decision.deny(List.of(new Reason(ReasonCode.FIELD_NOT_PERMITTED, "no applicable rule releases field "
            + f + " (permitting rules: " + permitIds + ")")), List.of(), version), false);
      }
      released = requested;
    } else if (isEmpty(released)) {
      return new Evaluation(Decision.deny(List.of(new Reason(ReasonCode.NO_FIELDS_PERMITTED, "the permitting rules "
          + permitIds + " release no field of " + req.resource())), List.of(), version), false);
    }
    Map<String, MaskSpec> out = new LinkedHashMap<>();
    MaskSpec drop = null;
    int dropped = 0;
    for (int i = 0; i < n; i++) {
      if (!has(released, i)) {
        if (drop == null) {
          drop = MaskSpec.of(MaskFunction.DROP);
        }
        out.put(ri.fieldNames[i], drop);
        dropped++;
      } else {
        MaskSpec m = masks == null ? ri.piMasks[i] : MaskSpec.stricter(masks[i], ri.piMasks[i]);
        if (m.function() != MaskFunction.NONE) {
          out.put(ri.fieldNames[i], m);
        }
      }
    }
    List<Reason> reasons = new ArrayList<>(2);
    List<String> ids = permitIds;
    reasons.add(Reason.lazy(ReasonCode.PERMITTED, () -> "permitted by " + ids));
    if (dropped > 0 && requested == null) {
      int n2 = dropped;
      reasons.add(Reason.lazy(ReasonCode.FIELDS_DROPPED, () -> n2 + " field(s) not released are dropped"));
    }
    return new Evaluation(Decision.permit(reasons, permitIds, Obligations.owned(out, audit, ri.fieldList, dropUnlisted,
        recordDivision(ri, req)), version), usesGrant);
  }

  /** For return flow, each record's division fields must lie within the requester's division. */
  private static Map<String, String> recordDivision(ResourceIndex ri, PolicyRequest req) {
    if (req.action() != Action.RETURN_FLOW || ri.divisionFields.isEmpty()) {
      return Map.of();
    }
    Map<String, String> m = new LinkedHashMap<>();
    for (String f : ri.divisionFields) {
      m.put(f, req.subject().divisionCode());
    }
    return m;
  }

  private static final int OK = 0;
  private static final int PURPOSE = 1;
  private static final int LEVEL = 2;
  private static final int TIME = 3;
  private static final int NO_GRANT = 4;
  private static final int BAD_GRANT = 5;

  /** Returns OK if every (non-rate) condition of the rule holds, else which one fails first. */
  private static int check(Rule r, ResourceIndex ri, PolicyRequest req, AdministrativeLevel level,
      @Nullable GrantException grantProblem, Instant now) {
    if (r.purposes != null && !r.purposes.contains(req.purpose())) {
      return PURPOSE;
    }
    if (r.levelRelation != null && !r.levelRelation.holds(ri.resource.provider(), req.subject())) {
      return LEVEL;
    }
    if (r.time != null) {
      ZonedDateTime t = now.atZone(r.time.zone());
      LocalTime lt = t.toLocalTime();
      if (!r.time.days().contains(t.getDayOfWeek()) || lt.isBefore(r.time.from()) || !lt.isBefore(r.time.to())) {
        return TIME;
      }
    }
    if (r.grantRequired) {
      if (req.grant() == null) {
        return NO_GRANT;
      }
      if (grantProblem != null) {
        return BAD_GRANT;
      }
    }
    return OK;
  }

  private static Reason reason(int code, Rule r, ResourceIndex ri, PolicyRequest req, AdministrativeLevel level,
      @Nullable GrantException grantProblem) {
    switch (code) {
      case PURPOSE:
        return Reason.lazy(ReasonCode.PURPOSE_NOT_ALLOWED, () -> "purpose " + req.purpose() + " is not allowed by rule " + r.id
            + " (allowed: " + String.join(", ", new java.util.TreeSet<>(Objects.requireNonNull(r.purposes))) + ")");
      case LEVEL:
        return Reason.lazy(ReasonCode.LEVEL_RELATION_NOT_MET, () -> "rule " + r.id + " needs "
            + Objects.requireNonNull(r.levelRelation).wireName() + " (provider "
            + ri.providerLevel.name().toLowerCase(java.util.Locale.ROOT) + " " + ri.resource.provider().divisionCode()
            + ", requester " + level.name().toLowerCase(java.util.Locale.ROOT) + " " + req.subject().divisionCode() + ")");
      case TIME:
        Rule.TimeWindow w = Objects.requireNonNull(r.time);
        return Reason.lazy(ReasonCode.OUTSIDE_TIME_WINDOW, () -> "rule " + r.id + " applies " + w.from() + "-" + w.to() + " " + w.zone()
            + " on " + w.days());
      case NO_GRANT:
        return Reason.lazy(ReasonCode.GRANT_REQUIRED, () -> "rule " + r.id + " needs a grant from the provider " + ri.resource.provider());
      case BAD_GRANT:
        GrantException g = Objects.requireNonNull(grantProblem);
        return new Reason(ReasonCode.of(g.reason()), g.getMessage());
      default:
        throw new IllegalStateException("rule " + r.id + " applies");
    }
  }

  private static boolean has(long[] b, int i) {
    return (b[i >>> 6] & (1L << i)) != 0;
  }

  private static void or(long[] into, long[] b) {
    for (int i = 0; i < into.length; i++) {
      into[i] |= b[i];
    }
  }

  private static long[] and(long[] a, long[] b) {
    long[] r = new long[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = a[i] & b[i];
    }
    return r;
  }

  private static boolean isEmpty(long[] b) {
    for (long w : b) {
      if (w != 0) {
        return false;
      }
    }
    return true;
  }

  /** Builds a {@link PolicyEngine}. */
  public static final class Builder {
    private final PolicySet set;
    private Clock clock = Clock.systemUTC();
    private GrantRevocations revocations = GrantRevocations.inMemory();
    private GrantUseCounter uses = GrantUseCounter.inMemory();
    private RateLimiter rates = RateLimiter.inMemory();
    private long cacheSize = 100_000;
    private @Nullable GrantVerifier grants;
    private byte @Nullable [] maskHashKey;
    private boolean decisionsOnly;

    private Builder(PolicySet set) {
      this.set = Objects.requireNonNull(set, "set");
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** Sets where revocations come from (default: an empty in-memory set). */
    public Builder revocations(GrantRevocations revocations) {
      this.revocations = Objects.requireNonNull(revocations);
      return this;
    }

    /** Sets the grant use counter (default: in memory). */
    public Builder grantUses(GrantUseCounter uses) {
      this.uses = Objects.requireNonNull(uses);
      return this;
    }

    /** Sets the rate limiter for rate conditions (default: in memory). */
    public Builder rateLimiter(RateLimiter rates) {
      this.rates = Objects.requireNonNull(rates);
      return this;
    }

    /** Sets the verifier for {@link PolicyEngine#decide(PolicyRequest, String)}. */
    public Builder grantVerifier(GrantVerifier verifier) {
      this.grants = Objects.requireNonNull(verifier);
      return this;
    }

    /** Sets the decision cache size (default 100,000 entries); 0 disables caching. */
    public Builder decisionCacheSize(long entries) {
      if (entries < 0) {
        throw new IllegalArgumentException("decisionCacheSize must be >= 0, got " + entries);
      }
      this.cacheSize = entries;
      return this;
    }

    /**
     * Sets the provider's secret for keyed-hash masks ({@code function: hash}), at least 16 bytes
     * (copied), for {@link PolicyEngine#masker(Decision)}. Required when the policy set hashes a
     * field, unless the engine only decides ({@link #withoutMaskHashKey()}).
     */
    public Builder maskHashKey(byte[] key) {
      if (key.length < 16) {
        throw new IllegalArgumentException("maskHashKey must have at least 16 bytes, got " + key.length);
      }
      this.maskHashKey = key.clone();
      return this;
    }

    /**
     * Declares that this engine decides but never masks a response (e.g. {@code shulian policy
     * check}): a policy set that hashes then needs no {@link #maskHashKey}.
     */
    public Builder withoutMaskHashKey() {
      this.decisionsOnly = true;
      return this;
    }

    /**
     * Builds the engine.
     *
     * @throws MissingHashKeyException if the policy set hashes a field but no {@link #maskHashKey}
     *     was set (and not {@link #withoutMaskHashKey()}): the message names every rule and field
     */
    public PolicyEngine build() {
      return new PolicyEngine(this);
    }
  }
}
