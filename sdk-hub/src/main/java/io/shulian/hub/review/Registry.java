package io.shulian.hub.review;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditRecord;
import io.shulian.hub.audit.AuditUnavailableException;
import io.shulian.hub.audit.HubAudit;
import io.shulian.core.audit.Direction;
import io.shulian.core.audit.HashAlgorithm;
import io.shulian.core.catalog.Catalog;
import io.shulian.core.catalog.CatalogDiff;
import io.shulian.core.catalog.CatalogResource;
import io.shulian.core.catalog.CatalogSubmission;
import io.shulian.core.catalog.InvalidDocumentException;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.BundleHolder;
import io.shulian.core.trust.CityAuthority;
import io.shulian.core.trust.CityBundle;
import io.shulian.gateway.config.BundlePolicies;
import io.shulian.hub.bundle.BundleAuthor;
import io.shulian.hub.bundle.Publisher;
import io.shulian.hub.store.HubStore;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Catalog registration and review. A department submits a {@link CatalogSubmission} signed with its
 * signing key over its TLS connection: the signer must be the TLS peer, the resource its own, and the
 * catalog of the newest published bundle with the change applied must pass the same checks as
 * {@code shulian catalog validate} (and the bundle's policies must still compile against it); then it
 * is stored pending. An operator (reviewer or security officer) lists it, sees the {@link CatalogDiff}
 * against the catalog published now, and approves or rejects it. Approval re-applies the change to
 * the newest bundle on the publishing thread ({@link BundleAuthor#publish}): refused with the reasons,
 * the submission staying pending, when the result fails validation or the submitter is no longer a
 * member or is suspended; refused as {@code SUBMISSION_STALE} when the resource changed since it was
 * submitted. Otherwise the new bundle and the submission's new state are committed in one
 * transaction. Every state change and refusal is an audit record.
 *
 * <p>Blocking (database, audit): call it off the event loop. Thread-safe.
 */
public final class Registry {
  private static final Logger LOG = LoggerFactory.getLogger(Registry.class);
  /** At most this many submissions are listed. */
  public static final int MAX_LIST = 500;
  private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  private final SubmissionStore store;
  private final BundleAuthor author;
  private final Publisher publisher;
  private final BundleHolder trust;
  private final HubAudit audit;
  private final PartyIdentity hub;
  private final Clock clock;

  public Registry(SubmissionStore store, BundleAuthor author, Publisher publisher, BundleHolder trust, HubAudit audit,
      PartyIdentity hub, Clock clock) {
    this.store = store;
    this.author = author;
    this.publisher = publisher;
    this.trust = trust;
    this.audit = audit;
    this.hub = hub;
    this.clock = clock;
  }

  /** A refusal on the way to an answer. */
  private static final class Refusal extends Exception {
    private static final long serialVersionUID = 1L;
    final transient Answer answer;

    Refusal(Answer answer) {
      super(answer.code(), null, false, false);
      this.answer = answer;
    }

    Refusal(HttpResponseStatus status, String code, String detail) {
      this(Answer.refuse(status, code, detail));
    }
  }

  /** The result of applying a change to a catalog. */
  private record Applied(Catalog before, Catalog after, String resource, CatalogDiff diff) {}

  // ---------------------------------------------------------------- department

  /** {@code POST /v1/catalog/submissions}: {@code party} (the TLS peer) submits a signed change. */
  public Answer submit(PartyId party, byte[] body) {
    String path = "/v1/catalog/submissions";
    Instant now = clock.instant();
    Answer a;
    String id = "sub-" + UUID.randomUUID();
    String resource = "";
    try {
      if (audit.problem().isPresent()) {
        return auditUnavailable();
      }
      String token = new String(body, StandardCharsets.US_ASCII).strip();
      CatalogSubmission s;
      try {
        s = CatalogSubmission.verify(token, trust.trust(), now);
      } catch (CatalogSubmission.SubmissionException e) {
        throw new Refusal(e.reason() == CatalogSubmission.SubmissionException.Reason.SUBMISSION_MALFORMED
            ? HttpResponseStatus.BAD_REQUEST : HttpResponseStatus.UNPROCESSABLE_ENTITY, e.code(), e.getMessage());
      } catch (io.shulian.core.trust.TrustException e) {
        throw new Refusal(HttpResponseStatus.SERVICE_UNAVAILABLE, "CATALOG_UNAVAILABLE", "no valid city bundle is held");
      }
      if (!s.issuer().equals(party)) {
        throw new Refusal(HttpResponseStatus.FORBIDDEN, "WRONG_PARTY", "the submission is signed by " + s.issuer()
            + ", not by the connected department " + party);
      }
      CityBundle bundle = trust.current().orElseThrow(() -> new Refusal(HttpResponseStatus.SERVICE_UNAVAILABLE,
          "CATALOG_UNAVAILABLE", "no bundle is published yet"));
      Catalog catalog = catalogOf(bundle);
      Applied applied = applyTo(catalog, bundle, party, s.action(), s.document().orElse(null),
          s.resourceCode().orElse(null), null, id);
      resource = applied.resource();
      SubmissionStore.Submission row = new SubmissionStore.Submission(id, s.id(), party.toString(), s.action(), resource,
          s.document().map(d -> new String(d, StandardCharsets.UTF_8)).orElse(null), token,
          HubStore.suiteName(hub.suite()), bundle.version(), applied.before().resourceHash(resource).orElse(""),
          SubmissionStore.State.PENDING, now, null, null, null, null);
      ObjectNode o = render(row);
      o.set("diff", diff(applied.diff()));
      ObjectNode assessment = assess(applied, bundle, null);
      LOG.atInfo().addKeyValue("event", "submission_assessed").addKeyValue("submission", id)
          .addKeyValue("worst", assessment.path("worst").asText("none"))
          .addKeyValue("findings", assessment.path("findings").size()).log("submission {} assessed", id);
      // the department sees only the findings about the resource it submitted, not the rest of the city
      o.set("assessment", assess(applied, bundle, resource));
      Answer created = Answer.json(HttpResponseStatus.CREATED, o.toString());
      String what = "catalog/" + id + "/" + resource;
      // the record of the submission is appended inside its transaction, before the commit
      AuditRecord rec = recordOf(party.toString(), what, "submit", created, body, "POST", path);
      try {
        audit.commitWith(rec, before -> {
          store.insert(row, c -> before.append());
          return true;
        }, stored -> stored);
      } catch (SQLException e) {
        if ("23505".equals(e.getSQLState())) {
          throw new Refusal(HttpResponseStatus.CONFLICT, "SUBMISSION_REPLAYED", "this signed submission was submitted before");
        }
        throw e;
      }
      return logged(party.toString(), what, "submit", created);
    } catch (Refusal r) {
      a = r.answer;
    } catch (SQLException e) {
      a = databaseDown(e);
    } catch (AuditUnavailableException e) {
      return logged(party.toString(), "catalog/submissions", "submit", auditUnavailable());
    }
    record(party.toString(), a.refused() ? "catalog/submissions" : "catalog/" + id + "/" + resource, "submit", a, body,
        "POST", path);
    return a;
  }

  /** {@code GET /v1/catalog/submissions}: the caller's own submissions, newest first. */
  public Answer mine(PartyId party) {
    try {
      ArrayNode list = JSON.createArrayNode();
      for (SubmissionStore.Submission s : store.ofParty(party.toString(), MAX_LIST)) {
        list.add(render(s));
      }
      return Answer.json(HttpResponseStatus.OK, JSON.createObjectNode().set("submissions", list).toString());
    } catch (SQLException e) {
      return databaseDown(e);
    }
  }

  /** {@code GET /v1/catalog/submissions/{id}}: one of the caller's own (another party's does not exist for it). */
  public Answer mine(PartyId party, String id) {
    try {
      Optional<SubmissionStore.Submission> s = store.get(id).filter(x -> x.party().equals(party.toString()));
      return s.isEmpty() ? notFound() : Answer.json(HttpResponseStatus.OK, render(s.get()).toString());
    } catch (SQLException e) {
      return databaseDown(e);
    }
  }

  // ---------------------------------------------------------------- operators

  /** {@code GET /v1/admin/reviews}: pending first, then newest first. */
  public Answer list() {
    try {
      ArrayNode list = JSON.createArrayNode();
      for (SubmissionStore.Submission s : store.recent(MAX_LIST)) {
        list.add(render(s));
      }
      return Answer.json(HttpResponseStatus.OK, JSON.createObjectNode().set("submissions", list).toString());
    } catch (SQLException e) {
      return databaseDown(e);
    }
  }

  /**
   * {@code GET /v1/admin/reviews/{id}}: the submission, its document, and the diff between the
   * catalog published now and that catalog with the submission applied (or why it cannot be applied).
   */
  public Answer show(String id) {
    try {
      Optional<SubmissionStore.Submission> found = store.get(id);
      if (found.isEmpty()) {
        return notFound();
      }
      SubmissionStore.Submission s = found.get();
      ObjectNode o = render(s);
      if (s.document() != null) {
        o.put("document", s.document());
      }
      CityBundle bundle = trust.current().orElse(null);
      if (bundle != null) {
        o.put("currentBundleVersion", bundle.version());
      }
      if (s.state() == SubmissionStore.State.PENDING) {
        try {
          if (bundle == null) {
            throw new Refusal(HttpResponseStatus.SERVICE_UNAVAILABLE, "CATALOG_UNAVAILABLE", "no bundle is published yet");
          }
          Applied applied = applyTo(catalogOf(bundle), bundle, PartyId.parse(s.party()), s.action(), bytes(s.document()),
              s.resource(), s.baseHash(), s.id());
          o.set("diff", diff(applied.diff()));
          o.put("approvable", true);
          o.set("assessment", assess(applied, bundle, null));
        } catch (Refusal r) {
          o.put("approvable", false);
          o.set("problems", JSON.readTree(r.answer.body()).path("reasons"));
        }
      }
      return Answer.json(HttpResponseStatus.OK, o.toString());
    } catch (SQLException e) {
      return databaseDown(e);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code POST /v1/admin/reviews/{id}/approve}: publishes the newest bundle with the change applied
   * to its catalog; the submission becomes approved in the same transaction.
   */
  public CompletableFuture<Answer> approve(String id, String operator) {
    String path = "/v1/admin/reviews/" + id + "/approve";
    Optional<SubmissionStore.Submission> found;
    try {
      found = store.get(id);
    } catch (SQLException e) {
      return done(record(operator, "catalog/" + id, "approve", databaseDown(e), new byte[0], "POST", path));
    }
    if (found.isEmpty()) {
      return done(record(operator, "catalog/" + id, "approve", notFound(), new byte[0], "POST", path));
    }
    String what = "catalog/" + id + "/" + found.get().resource();
    if (found.get().state() != SubmissionStore.State.PENDING) {
      return done(record(operator, what, "approve", decided(found.get()), new byte[0], "POST", path));
    }
    if (audit.problem().isPresent()) {
      return done(auditUnavailable());
    }
    AtomicReference<@Nullable Answer> refusal = new AtomicReference<>();
    BundleAuthor.Change change = new BundleAuthor.Change() {
      @Override
      public void apply(CityBundle.Draft draft, CityBundle previous, CityAuthority ca) throws BundleAuthor.Refused {
        try {
          // read again on the publishing thread: approvals are serialised with every publish
          SubmissionStore.Submission s = store.get(id).orElseThrow(() -> new Refusal(notFound()));
          if (s.state() != SubmissionStore.State.PENDING) {
            throw new Refusal(decided(s));
          }
          Applied applied = applyTo(catalogOf(previous), previous, PartyId.parse(s.party()), s.action(),
              bytes(s.document()), s.resource(), s.baseHash(), s.id());
          Catalog next = applied.after().withVersion(nextVersion(applied.before().version(), clock.instant()));
          draft.removeExtension(BundlePolicies.CATALOG);
          draft.extension(BundlePolicies.CATALOG, next.toJson());
        } catch (Refusal r) {
          refusal.set(r.answer);
          throw new BundleAuthor.Refused(r.answer.code(), r.answer.code());
        } catch (SQLException e) {
          refusal.set(databaseDown(e));
          throw new BundleAuthor.Refused("DATABASE_UNAVAILABLE", "the submission could not be read");
        }
      }

      @Override
      public HubStore.InTransaction rows(long version, Instant at) {
        return c -> SubmissionStore.approve(c, id, operator, at, version);
      }
    };
    return author.publish(hub.suite(), change, operator, new Publisher.Cause("catalog-approve", "POST", path))
        .thenApply(r -> {
          Answer a;
          try {
            if (r.published()) {
              a = Answer.json(HttpResponseStatus.OK, render(store.get(id).orElseThrow()).toString());
            } else if (refusal.get() != null) {
              a = refusal.get();
            } else {
              Optional<SubmissionStore.Submission> now = store.get(id);
              a = now.isPresent() && now.get().state() != SubmissionStore.State.PENDING ? decided(now.get())
                  : Answer.refuse(publishStatus(r.code()), r.code(), r.detail());
            }
          } catch (SQLException e) {
            a = databaseDown(e);
          }
          return record(operator, what, "approve", java.util.Objects.requireNonNull(a), new byte[0], "POST", path);
        });
  }

  /** {@code POST /v1/admin/reviews/{id}/reject} with {@code {"reason": "…"}}. */
  public Answer reject(String id, String operator, byte[] body) {
    String path = "/v1/admin/reviews/" + id + "/reject";
    Answer a;
    String what = "catalog/" + id;
    try {
      String reason = reason(body);
      Optional<SubmissionStore.Submission> found = store.get(id);
      if (found.isEmpty()) {
        throw new Refusal(notFound());
      }
      what += "/" + found.get().resource();
      if (found.get().state() != SubmissionStore.State.PENDING) {
        throw new Refusal(decided(found.get()));
      }
      // the record of the rejection is appended inside its transaction, before the commit
      AuditRecord rec = recordOf(operator, what, "reject", Answer.json(HttpResponseStatus.OK, "{}"), body, "POST", path);
      if (!audit.commitWith(rec, before -> store.reject(id, operator, clock.instant(), reason, c -> before.append()),
          moved -> moved)) {
        throw new Refusal(decided(store.get(id).orElse(found.get())));
      }
      return logged(operator, what, "reject", Answer.json(HttpResponseStatus.OK, render(store.get(id).orElseThrow()).toString()));
    } catch (Refusal r) {
      a = r.answer;
    } catch (SQLException e) {
      a = databaseDown(e);
    } catch (AuditUnavailableException e) {
      return logged(operator, what, "reject", auditUnavailable());
    }
    return record(operator, what, "reject", a, body, "POST", path);
  }

  // ---------------------------------------------------------------- the change itself

  /**
   * Applies a change of {@code party} to {@code catalog} (of {@code bundle}) and checks the result.
   *
   * @param baseHash the resource's hash when submitted (null when submitting now): another means stale
   */
  private static Applied applyTo(@Nullable Catalog catalog, CityBundle bundle, PartyId party,
      CatalogSubmission.Action action, byte @Nullable [] document, @Nullable String code, @Nullable String baseHash,
      String id) throws Refusal {
    if (catalog == null) {
      throw new Refusal(HttpResponseStatus.SERVICE_UNAVAILABLE, "CATALOG_UNAVAILABLE",
          "the newest published bundle carries no valid catalog");
    }
    List<Answer.Reason> reasons = new ArrayList<>();
    if (bundle.member(party).isEmpty()) {
      reasons.add(new Answer.Reason("PARTY_UNKNOWN", party + " is not a member of the city bundle"));
    } else if (bundle.incidents().isSuspended(party)) {
      reasons.add(new Answer.Reason("PARTY_SUSPENDED", party + " is suspended"));
    }
    Catalog after;
    String resource;
    if (action == CatalogSubmission.Action.REGISTER) {
      try {
        after = catalog.withResource(id, document == null ? new byte[0] : document);
      } catch (InvalidDocumentException e) {
        List<Answer.Reason> all = new ArrayList<>(reasons);
        e.problems().forEach(p -> all.add(new Answer.Reason("CATALOG_INVALID", p.toString())));
        throw new Refusal(Answer.refuse(HttpResponseStatus.UNPROCESSABLE_ENTITY, "CATALOG_INVALID",
            "the resource does not pass the catalog checks", all));
      }
      resource = codeOf(document);
      if (code != null && !code.equals(resource)) {
        throw new IllegalStateException("submission " + id + " changes " + resource + ", stored as " + code);
      }
      // whose it is comes first: another party learns nothing about the resource from a refusal
      CatalogResource mine = after.resource(resource).orElseThrow();
      Optional<CatalogResource> old = catalog.resource(resource);
      if (!mine.provider().equals(party) || old.isPresent() && !old.get().provider().equals(party)) {
        throw new Refusal(HttpResponseStatus.FORBIDDEN, "WRONG_PARTY", "a department registers and changes only "
            + "resources it provides itself (" + resource + ", submitted by " + party + ")");
      }
      if (CatalogDiff.between(catalog, after).isEmpty()) {
        throw new Refusal(HttpResponseStatus.UNPROCESSABLE_ENTITY, "NO_CHANGE", "the resource is already in the catalog as submitted");
      }
    } else {
      resource = java.util.Objects.requireNonNull(code, "a withdrawal names its resource");
      Optional<CatalogResource> old = catalog.resource(resource);
      if (old.isEmpty()) {
        throw new Refusal(HttpResponseStatus.UNPROCESSABLE_ENTITY, "RESOURCE_UNKNOWN", "no resource " + resource + " in the catalog");
      }
      if (!old.get().provider().equals(party)) {
        throw new Refusal(HttpResponseStatus.FORBIDDEN, "WRONG_PARTY", "a department withdraws only resources it provides ("
            + resource + ", submitted by " + party + ")");
      }
      after = catalog.withoutResource(resource);
    }
    if (baseHash != null && !catalog.resourceHash(resource).orElse("").equals(baseHash)) {
      throw new Refusal(HttpResponseStatus.CONFLICT, "SUBMISSION_STALE", "resource " + resource
          + " changed in the catalog since this submission was made; submit it again against the current catalog");
    }
    if (bundle.incidents().isFrozen(resource)) {
      reasons.add(new Answer.Reason("RESOURCE_FROZEN", "resource " + resource + " is frozen by an incident action"));
    }
    Optional<String> policies = bundle.extension(BundlePolicies.POLICIES);
    if (policies.isPresent()) {
      try {
        BundlePolicies.parse(after.toJson(), policies.get());
      } catch (InvalidDocumentException e) {
        e.problems().forEach(p -> reasons.add(new Answer.Reason("POLICIES_INVALID", "with this change the bundle's "
            + "policies no longer compile: " + p)));
      }
    }
    if (!reasons.isEmpty()) {
      throw new Refusal(Answer.refuse(HttpResponseStatus.UNPROCESSABLE_ENTITY, reasons.get(0).code(),
          "the change cannot be made: " + reasons.get(0).message(), reasons));
    }
    return new Applied(catalog, after, resource, CatalogDiff.between(catalog, after));
  }

  /**
   * The security assessment (安全评估) of the bundle the approval would publish: its catalog with the
   * change applied, its policies, members, certificates, CRL and grant revocations, as {@code
   * {worst, findings:[{kind, severity, objectKind, object, message, fix}]}}; {@code worst} is null
   * when there is no finding. Only the findings about {@code resource} when given.
   */
  private ObjectNode assess(Applied applied, CityBundle bundle, @Nullable String resource) {
    ObjectNode o = JSON.createObjectNode();
    String policies = bundle.extension(BundlePolicies.POLICIES).orElse(null);
    io.shulian.gateway.assess.Assessment result;
    try {
      io.shulian.gateway.assess.SecurityAssessor.Builder b = io.shulian.gateway.assess.SecurityAssessor.builder()
          .now(clock.instant()).policySet(BundlePolicies.parse(applied.after().toJson(), policies), policies);
      try {
        b.bundle(bundle, trust.trust());
      } catch (io.shulian.core.trust.TrustException e) {
        // no valid trust now: the catalog and policies are assessed, the members are not
      }
      result = b.build().assess();
    } catch (InvalidDocumentException e) {
      // applyTo compiled them already; a failure here is a bug, shown rather than hidden
      o.put("worst", "unknown");
      o.putArray("findings");
      o.put("error", "the bundle to publish could not be assessed");
      return o;
    }
    List<io.shulian.gateway.assess.Finding> fs = result.findings().stream()
        .filter(f -> resource == null || f.object().equals(resource) || f.object().startsWith(resource + "#")).toList();
    java.util.Optional<io.shulian.gateway.assess.Severity> worst = fs.stream().map(io.shulian.gateway.assess.Finding::severity)
        .max(java.util.Comparator.naturalOrder());
    if (worst.isPresent()) {
      o.put("worst", worst.get().wireName());
    } else {
      o.putNull("worst");
    }
    ArrayNode a = o.putArray("findings");
    for (io.shulian.gateway.assess.Finding f : fs) {
      a.addObject().put("kind", f.kind()).put("severity", f.severity().wireName()).put("objectKind", f.objectKind())
          .put("object", f.object()).put("message", f.message()).put("fix", f.fix());
    }
    return o;
  }

  /** The catalog version after an approval: the bureau's version with a {@code +r<time>} suffix (replaced each time). */
  static String nextVersion(String previous, Instant now) {
    int plus = previous.indexOf("+r");
    String base = plus < 0 ? previous : previous.substring(0, plus);
    String suffix = "+r" + now.getEpochSecond();
    return (base.length() + suffix.length() > 64 ? base.substring(0, 64 - suffix.length()) : base) + suffix;
  }

  /** The code of a resource document that {@link Catalog#withResource} accepted (so it has a valid one). */
  private static String codeOf(byte @Nullable [] document) {
    try {
      return new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
          .readTree(document == null ? new byte[0] : document).path("code").asText();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a resource document the catalog accepted does not parse", e);
    }
  }

  private static @Nullable Catalog catalogOf(CityBundle b) {
    Optional<String> text = b.extension(BundlePolicies.CATALOG);
    if (text.isEmpty()) {
      return null;
    }
    try {
      return Catalog.parse("bundle:catalog", text.get().getBytes(StandardCharsets.UTF_8));
    } catch (InvalidDocumentException e) {
      return null;
    }
  }

  private static byte @Nullable [] bytes(@Nullable String document) {
    return document == null ? null : document.getBytes(StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- shared

  private static String reason(byte[] body) throws Refusal {
    JsonNode n;
    try {
      n = JSON.readTree(body);
    } catch (java.io.IOException e) {
      throw new Refusal(HttpResponseStatus.BAD_REQUEST, "MALFORMED_BODY", "the body must be JSON {\"reason\": \"...\"}");
    }
    if (n == null || !n.isObject() || n.size() != 1 || !n.path("reason").isTextual() || n.path("reason").textValue().isBlank()
        || n.path("reason").textValue().length() > 2000) {
      throw new Refusal(HttpResponseStatus.BAD_REQUEST, "MALFORMED_BODY", "the body must be {\"reason\": \"...\"} with 1 to "
          + "2000 characters and nothing else");
    }
    return n.path("reason").textValue();
  }

  private static ArrayNode diff(CatalogDiff d) {
    ArrayNode a = JSON.createArrayNode();
    for (CatalogDiff.Change c : d.changes()) {
      a.addObject().put("kind", c.kind().name().toLowerCase(java.util.Locale.ROOT)).put("resource", c.resource())
          .put("field", c.field()).put("detail", c.detail()).put("text", c.toString());
    }
    return a;
  }

  private static ObjectNode render(SubmissionStore.Submission s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", s.id()).put("party", s.party()).put("action", s.action().wireName()).put("resource", s.resource())
        .put("state", s.state().wireName()).put("submittedAt", s.submittedAt().toString())
        .put("baseBundleVersion", s.baseVersion());
    if (s.decidedAt() != null) {
      o.put("decidedAt", String.valueOf(s.decidedAt())).put("decidedBy", s.decidedBy());
    }
    if (s.reason() != null) {
      o.put("reason", s.reason());
    }
    if (s.bundleVersion() != null) {
      o.put("bundleVersion", s.bundleVersion());
    }
    return o;
  }

  private static Answer decided(SubmissionStore.Submission s) {
    return Answer.refuse(HttpResponseStatus.CONFLICT, "SUBMISSION_DECIDED", "submission " + s.id() + " is already "
        + s.state().wireName());
  }

  private static HttpResponseStatus publishStatus(String code) {
    switch (code) {
      case "BUNDLE_INVALID":
      case "BUNDLE_NOT_SIGNED":
        return HttpResponseStatus.UNPROCESSABLE_ENTITY;
      case "NO_BUNDLE":
      case "BUNDLE_NOT_NEWER":
        return HttpResponseStatus.CONFLICT;
      default:
        return HttpResponseStatus.SERVICE_UNAVAILABLE;
    }
  }

  private static Answer notFound() {
    return Answer.refuse(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such submission");
  }

  private static Answer auditUnavailable() {
    return Answer.refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, AuditUnavailableException.CODE,
        "the hub's audit log is not writable; nothing was changed");
  }

  private static Answer databaseDown(SQLException e) {
    LOG.atError().addKeyValue("event", "hub_submission_database_failed").log("submission not stored: {}", e.getMessage());
    return Answer.refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, "DATABASE_UNAVAILABLE", "the hub's database does not answer");
  }

  private static CompletableFuture<Answer> done(Answer a) {
    return CompletableFuture.completedFuture(a);
  }

  /**
   * Notes one audit record of something that changed nothing, or was committed with its own record
   * already (an approval: the publish's record), and returns {@code a}.
   */
  private Answer record(String actor, String resource, String purpose, Answer a, byte[] body, String method, String path) {
    audit.note(recordOf(actor, resource, purpose, a, body, method, path));
    return logged(actor, resource, purpose, a);
  }

  private static Answer logged(String actor, String resource, String purpose, Answer a) {
    LOG.atInfo().addKeyValue("event", a.refused() ? "hub_catalog_refused" : "hub_catalog_" + purpose)
        .addKeyValue("code", a.refused() ? a.code() : "").addKeyValue("actor", actor)
        .log("catalog {} {}: {}", purpose, resource, a.status().code());
    return a;
  }

  private AuditRecord recordOf(String actor, String resource, String purpose, Answer a, byte[] body, String method,
      String path) {
    Instant now = clock.instant();
    return AuditRecord.builder()
        .time(now)
        .envelopeId("hub-catalog-" + UUID.randomUUID())
        .direction(Direction.REQUEST_IN)
        .sender(actor)
        .receiver(hub.party().toString())
        .resource(resource)
        .purpose(purpose)
        .decision(AuditDecision.builder(a.refused() ? AuditDecision.Effect.DENY : AuditDecision.Effect.PERMIT)
            .reasonCodes(List.of(a.refused() ? a.code() : purpose.toUpperCase(java.util.Locale.ROOT) + "_DONE")).build())
        .payloadDigest(HashAlgorithm.SHA_256, HubAudit.sha256(body))
        .payloadBytes(body.length)
        .status(a.status().code())
        .outcome(a.refused() ? a.code() : purpose.toUpperCase(java.util.Locale.ROOT) + "_DONE")
        .latency(Duration.ZERO)
        .app(actor)
        .request(method, path)
        .build();
  }
}
