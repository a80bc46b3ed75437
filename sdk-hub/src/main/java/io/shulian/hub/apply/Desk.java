package io.shulian.hub.apply;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.audit.HashAlgorithm;
import io.shulian.core.catalog.Catalog;
import io.shulian.core.catalog.CatalogResource;
import io.shulian.core.catalog.SharingType;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.party.PartyId;
import io.shulian.core.policy.Grant;
import io.shulian.core.policy.GrantException;
import io.shulian.core.policy.GrantRevocations;
import io.shulian.core.policy.GrantVerifier;
import io.shulian.core.policy.VerifiedGrant;
import io.shulian.core.trust.BundleHolder;
import io.shulian.core.trust.CityBundle;
import io.shulian.gateway.inbound.Problem;
import io.shulian.hub.audit.AuditUnavailableException;
import io.shulian.hub.audit.HubAudit;
import io.shulian.hub.store.HubStore;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's desk for sharing applications and data objections: checks a consumer's application
 * against the catalog of the newest published bundle, lets the provider approve it with a grant it
 * issued (verified with {@link GrantVerifier} against the bundle's certificates and compared with
 * the application) or decline it, and lets the consumer fetch the grant or withdraw. Objections
 * follow the same state machine ({@link CaseState}). Every state change is one database
 * transaction whose last step before the commit is its durable audit record ({@link HubAudit}):
 * nothing changes while the audit log is not writable.
 *
 * <p>Blocking (database, audit): call it off the event loop. Thread-safe.
 */
public final class Desk {
  private static final Logger LOG = LoggerFactory.getLogger(Desk.class);
  /** The largest request body a case route takes. */
  public static final int MAX_BODY_BYTES = 64 * 1024;
  private static final Duration MAX_PERIOD = Duration.ofDays(5 * 366);
  private static final int MAX_FIELDS = 200;
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .build();

  private final CaseStore store;
  private final BundleHolder trust;
  private final HubAudit audit;
  private final PartyIdentity hub;
  private final Duration deadline;
  private final Clock clock;

  public Desk(CaseStore store, BundleHolder trust, HubAudit audit, PartyIdentity hub, Duration deadline, Clock clock) {
    this.store = store;
    this.trust = trust;
    this.audit = audit;
    this.hub = hub;
    this.deadline = deadline;
    this.clock = clock;
  }

  /** The configured response deadline: a case submitted longer ago and still unanswered is overdue. */
  public Duration deadline() {
    return deadline;
  }

  /** Cases of {@code kind} overdue now (for the metric); -1 if the database does not answer. */
  public double overdue(CaseState.Kind kind) {
    try {
      return store.countSubmittedBefore(kind, clock.instant().minus(deadline));
    } catch (SQLException e) {
      return Double.NaN;
    }
  }

  // ---------------------------------------------------------------- applications

  /** {@code POST /v1/applications}: {@code consumer} applies; it is always the certificate's party. */
  public Reply apply(PartyId consumer, byte[] body) {
    ObjectNode in;
    try {
      in = object(body, Set.of("resource", "purpose", "fields", "from", "until", "legalBasis", "maxUses"));
    } catch (BadInput e) {
      return Reply.refuse(HttpResponseStatus.BAD_REQUEST, "MALFORMED_BODY", e.text);
    }
    List<Problem.Reason> reasons = new ArrayList<>();
    String resource = text(in, "resource", 256, reasons);
    String purpose = text(in, "purpose", 128, reasons);
    String legalBasis = text(in, "legalBasis", 2000, reasons);
    Instant from = instant(in, "from", reasons);
    Instant until = instant(in, "until", reasons);
    long maxUses = in.path("maxUses").canConvertToLong() && in.path("maxUses").isIntegralNumber()
        ? in.path("maxUses").longValue() : -1;
    if (maxUses < 1 || maxUses > 1_000_000_000L) {
      reasons.add(new Problem.Reason("BAD_FIELD", "maxUses: a whole number from 1 to 1000000000"));
    }
    List<String> fields = new ArrayList<>();
    JsonNode f = in.path("fields");
    if (!f.isArray() || f.size() == 0 || f.size() > MAX_FIELDS) {
      reasons.add(new Problem.Reason("BAD_FIELD", "fields: an array of 1 to " + MAX_FIELDS + " field names"));
    } else {
      Set<String> seen = new HashSet<>();
      for (JsonNode n : f) {
        if (!n.isTextual() || !Catalog.FIELD_PATH.matcher(n.textValue()).matches() || !seen.add(n.textValue())) {
          reasons.add(new Problem.Reason("BAD_FIELD", "fields: each a distinct catalog field name"));
          break;
        }
        fields.add(n.textValue());
      }
    }
    Instant now = clock.instant();
    if (from != null && until != null && (!until.isAfter(from) || !until.isAfter(now)
        || Duration.between(from, until).compareTo(MAX_PERIOD) > 0)) {
      reasons.add(new Problem.Reason("BAD_PERIOD", "until must be after from and now, at most 5 years after from"));
    }
    if (!reasons.isEmpty()) {
      return Reply.refuse(HttpResponseStatus.BAD_REQUEST, reasons, "the application is not well-formed");
    }
    Catalog catalog = catalog();
    if (catalog == null) {
      return Reply.refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, "CATALOG_UNAVAILABLE",
          "the newest published bundle carries no valid catalog; applications cannot be checked");
    }
    Optional<CatalogResource> r = catalog.resource(resource);
    if (r.isEmpty()) {
      return Reply.refuse(HttpResponseStatus.UNPROCESSABLE_ENTITY, "RESOURCE_UNKNOWN", "no resource " + resource + " in the catalog");
    }
    CatalogResource res = r.get();
    if (res.sharingType() == SharingType.UNCONDITIONAL) {
      return Reply.refuse(HttpResponseStatus.UNPROCESSABLE_ENTITY, "APPLICATION_NOT_NEEDED",
          resource + " is shared unconditionally: no application is needed, state an allowed purpose at the gateway");
    }
    if (res.sharingType() == SharingType.NOT_SHARED) {
      return Reply.refuse(HttpResponseStatus.UNPROCESSABLE_ENTITY, "RESOURCE_NOT_SHARED",
          resource + " is not shared: " + res.legalBasis());
    }
    if (res.provider().equals(consumer)) {
      return Reply.refuse(HttpResponseStatus.UNPROCESSABLE_ENTITY, "OWN_RESOURCE", "a provider needs no application for its own resource");
    }
    if (!res.purposes().contains(purpose)) {
      reasons.add(new Problem.Reason("PURPOSE_NOT_ALLOWED", "purpose " + purpose + " is not allowed for " + resource));
    }
    for (String name : fields) {
      if (res.field(name).isEmpty()) {
        reasons.add(new Problem.Reason("FIELD_UNKNOWN", "no field " + name + " in " + resource));
      }
    }
    if (!reasons.isEmpty()) {
      return Reply.refuse(HttpResponseStatus.UNPROCESSABLE_ENTITY, reasons, "the application does not match the catalog");
    }
    Reply unavailable = auditUnavailable();
    if (unavailable != null) {
      return unavailable;
    }
    CaseStore.Application a = new CaseStore.Application("app-" + UUID.randomUUID(), consumer.toString(),
        res.provider().toString(), resource, purpose, fields, java.util.Objects.requireNonNull(from), java.util.Objects.requireNonNull(until), legalBasis, maxUses, CaseState.SUBMITTED,
        now, null, null, null, null);
    AuditRecord rec = record(consumer.toString(), a.provider(), "applications/" + a.id(), "apply", CaseState.SUBMITTED, body, now);
    try {
      write(rec, beforeCommit -> {
        store.insert(a, beforeCommit);
        return true;
      });
    } catch (SQLException e) {
      return databaseDown(e);
    } catch (AuditUnavailableException e) {
      return auditDown();
    }
    return Reply.json(HttpResponseStatus.CREATED, render(a, now).toString());
  }

  /** {@code GET /v1/applications}: those {@code party} filed or that are addressed to it. */
  public Reply applications(PartyId party) {
    try {
      Instant now = clock.instant();
      ArrayNode list = JSON.createArrayNode();
      for (CaseStore.Application a : store.applicationsOf(party.toString())) {
        list.add(render(expireIfDue(a, now), now));
      }
      return Reply.json(HttpResponseStatus.OK, JSON.createObjectNode().set("applications", list).toString());
    } catch (SQLException e) {
      return databaseDown(e);
    }
  }

  /** {@code GET /v1/applications/{id}}. */
  public Reply application(PartyId party, String id) {
    try {
      Optional<CaseStore.Application> a = visibleApplication(party, id);
      if (a.isEmpty()) {
        return notFound();
      }
      Instant now = clock.instant();
      return Reply.json(HttpResponseStatus.OK, render(expireIfDue(a.get(), now), now).toString());
    } catch (SQLException e) {
      return databaseDown(e);
    }
  }

  /** {@code GET /v1/applications/{id}/grant}: the grant of an approved application (consumer or provider). */
  public Reply grant(PartyId party, String id) {
    try {
      Optional<CaseStore.Application> a = visibleApplication(party, id);
      if (a.isEmpty()) {
        return notFound();
      }
      String token = a.get().grantToken();
      if (a.get().state() != CaseState.APPROVED || token == null) {
        return Reply.refuse(HttpResponseStatus.CONFLICT, "NO_GRANT", "the application is " + a.get().state().wireName()
            + ", not approved");
      }
      return new Reply(HttpResponseStatus.OK, "application/jwt", token, null);
    } catch (SQLException e) {
      return databaseDown(e);
    }
  }

  /**
   * {@code POST /v1/applications/{id}/approve} with {@code {"grant": "<jwt>"}}: only the provider;
   * the grant must verify and match the application.
   */
  public Reply approve(PartyId party, String id, byte[] body) {
    String token;
    try {
      ObjectNode in = object(body, Set.of("grant"));
      JsonNode g = in.path("grant");
      if (!g.isTextual() || g.textValue().isEmpty() || g.textValue().length() > Grant.MAX_TOKEN_CHARS) {
        throw new BadInput("grant: the signed grant (shulian grant issue), at most " + Grant.MAX_TOKEN_CHARS + " characters");
      }
      token = g.textValue();
    } catch (BadInput e) {
      return Reply.refuse(HttpResponseStatus.BAD_REQUEST, "MALFORMED_BODY", e.text);
    }
    return answerApplication(party, id, CaseState.APPROVED, null, token, body);
  }

  /** {@code POST /v1/applications/{id}/decline} with {@code {"reason": "…"}}: only the provider. */
  public Reply decline(PartyId party, String id, byte[] body) {
    String reason;
    try {
      reason = reason(body);
    } catch (BadInput e) {
      return Reply.refuse(HttpResponseStatus.BAD_REQUEST, "MALFORMED_BODY", e.text);
    }
    return answerApplication(party, id, CaseState.DECLINED, reason, null, body);
  }

  /** {@code POST /v1/applications/{id}/withdraw}: only the consumer, before an answer. */
  public Reply withdrawApplication(PartyId party, String id) {
    return answerApplication(party, id, CaseState.WITHDRAWN, null, null, new byte[0]);
  }

  private Reply answerApplication(PartyId party, String id, CaseState next, @Nullable String reason,
      @Nullable String token, byte[] body) {
    try {
      Optional<CaseStore.Application> found = visibleApplication(party, id);
      if (found.isEmpty()) {
        return notFound();
      }
      Instant now = clock.instant();
      CaseStore.Application a = expireIfDue(found.get(), now);
      boolean consumerActs = next == CaseState.WITHDRAWN;
      String actor = party.toString();
      if (consumerActs && !actor.equals(a.consumer())) {
        return Reply.refuse(HttpResponseStatus.FORBIDDEN, "NOT_CONSUMER", "only the applicant may withdraw an application");
      }
      if (!consumerActs && !actor.equals(a.provider())) {
        return Reply.refuse(HttpResponseStatus.FORBIDDEN, "NOT_PROVIDER", "only the resource's provider may answer an application");
      }
      if (!a.state().canMoveTo(CaseState.Kind.APPLICATION, next)) {
        return illegal(a.state(), next);
      }
      String grantId = null;
      if (token != null) {
        Reply refused = checkGrant(a, token, now);
        if (refused != null) {
          return refused;
        }
      }
      Reply unavailable = auditUnavailable();
      if (unavailable != null) {
        return unavailable;
      }
      if (token != null) {
        grantId = grantIdOf(token);
      }
      String g = grantId;
      AuditRecord rec = record(actor, consumerActs ? a.provider() : a.consumer(), "applications/" + id, next.wireName(), next,
          body, now);
      if (!write(rec, beforeCommit -> store.answer(CaseState.Kind.APPLICATION, id, next, now, reason, g, token, beforeCommit))) {
        CaseStore.Application again = store.application(id).orElse(a);
        return illegal(again.state(), next);
      }
      return Reply.json(HttpResponseStatus.OK, render(store.application(id).orElseThrow(), now).toString());
    } catch (SQLException e) {
      return databaseDown(e);
    } catch (AuditUnavailableException e) {
      return auditDown();
    }
  }

  private @Nullable String grantIdOf(String token) {
    try {
      return GrantVerifier.of(trust.trust(), clock).verify(token).grant().id();
    } catch (GrantException | io.shulian.core.trust.TrustException e) {
      return null;
    }
  }

  /** Verifies {@code token} and compares it with the application; null if it matches. */
  private @Nullable Reply checkGrant(CaseStore.Application a, String token, Instant now) {
    VerifiedGrant vg;
    try {
      vg = GrantVerifier.of(trust.trust(), clock).verify(token);
    } catch (GrantException e) {
      return Reply.refuse(HttpResponseStatus.UNPROCESSABLE_ENTITY, List.of(new Problem.Reason("GRANT_INVALID", String.valueOf(e.getMessage())),
          new Problem.Reason(e.reason().toString(), String.valueOf(e.getMessage()))), "the grant does not verify");
    } catch (io.shulian.core.trust.TrustException e) {
      return Reply.refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, "TRUST_UNAVAILABLE", "no valid city bundle to verify the grant with");
    }
    Grant g = vg.grant();
    List<Problem.Reason> reasons = new ArrayList<>();
    PartyId provider;
    PartyId consumer;
    try {
      provider = PartyId.parse(a.provider());
      consumer = PartyId.parse(a.consumer());
    } catch (IllegalArgumentException e) {
      return Reply.refuse(HttpResponseStatus.INTERNAL_SERVER_ERROR, "INTERNAL", "stored party is not valid");
    }
    // judged at the later of now and its start: a grant for a period that begins later is fine
    Instant at = g.notBefore().isAfter(now) ? g.notBefore() : now;
    GrantException mismatch = GrantVerifier.check(vg, provider, consumer, a.resource(), a.purpose(), a.fields(), at,
        GrantRevocations.fromBundle(trust));
    if (mismatch != null) {
      reasons.add(new Problem.Reason(mismatch.reason().toString(), String.valueOf(mismatch.getMessage())));
    }
    if (!g.consumer().equals(consumer)) {
      reasons.add(new Problem.Reason("GRANT_WRONG_CONSUMER", "the grant names " + g.consumer() + ", not the applicant " + consumer));
    }
    if (!new HashSet<>(a.fields()).containsAll(g.fields())) {
      reasons.add(new Problem.Reason("GRANT_FIELDS_NOT_APPLIED", "the grant grants fields the application did not ask for"));
    }
    if (g.notBefore().isBefore(a.from().minusSeconds(300)) || g.expiresAt().isAfter(a.until().plusSeconds(300))) {
      reasons.add(new Problem.Reason("GRANT_PERIOD_MISMATCH", "the grant's validity " + g.notBefore() + " to " + g.expiresAt()
          + " is not within the applied period " + a.from() + " to " + a.until()));
    }
    if (g.maxUses() > a.maxUses()) {
      reasons.add(new Problem.Reason("GRANT_USES_MISMATCH", "the grant allows " + g.maxUses() + " uses, the application "
          + a.maxUses()));
    }
    if (reasons.isEmpty()) {
      return null;
    }
    List<Problem.Reason> all = new ArrayList<>();
    all.add(new Problem.Reason("GRANT_MISMATCH", "the grant does not match the application"));
    all.addAll(reasons);
    return Reply.refuse(HttpResponseStatus.UNPROCESSABLE_ENTITY, all, "the grant does not match the application");
  }

  private Optional<CaseStore.Application> visibleApplication(PartyId party, String id) throws SQLException {
    Optional<CaseStore.Application> a = store.application(id);
    String p = party.toString();
    // one that is neither the consumer's nor addressed to it does not exist for this party
    return a.filter(x -> x.consumer().equals(p) || x.provider().equals(p));
  }

  /** An application still submitted when its period has ended is expired (stored as such, audited). */
  private CaseStore.Application expireIfDue(CaseStore.Application a, Instant now) throws SQLException {
    if (a.state() != CaseState.SUBMITTED || now.isBefore(a.until())) {
      return a;
    }
    AuditRecord rec = record(hub.party().toString(), a.consumer(), "applications/" + a.id(), "expire", CaseState.EXPIRED,
        new byte[0], now);
    try {
      write(rec, beforeCommit -> store.answer(CaseState.Kind.APPLICATION, a.id(), CaseState.EXPIRED, now,
          "not answered before the end of the applied period", null, null, beforeCommit));
    } catch (AuditUnavailableException e) {
      // stays submitted until the audit log can record its expiry
      return a;
    }
    return store.application(a.id()).orElse(a);
  }

  // ---------------------------------------------------------------- operators

  /** The most cases of one kind an operator listing returns (the oldest first). */
  public static final int MAX_LISTED = 1000;

  /**
   * {@code GET /v1/admin/cases}: every department's applications and objections for the bureau's
   * operators, optionally only those in {@code state}, of {@code kind}, or overdue.
   */
  public Reply cases(@Nullable CaseState state, CaseState.@Nullable Kind kind, boolean overdueOnly) {
    try {
      Instant now = clock.instant();
      ObjectNode out = JSON.createObjectNode();
      if (kind == null || kind == CaseState.Kind.APPLICATION) {
        ArrayNode list = out.putArray("applications");
        for (CaseStore.Application a : store.applicationsIn(state, MAX_LISTED)) {
          CaseStore.Application current = expireIfDue(a, now);
          ObjectNode o = render(current, now);
          if ((state == null || current.state() == state) && (!overdueOnly || o.path("overdue").asBoolean())) {
            list.add(o);
          }
        }
      }
      if (kind == null || kind == CaseState.Kind.OBJECTION) {
        ArrayNode list = out.putArray("objections");
        for (CaseStore.Objection x : store.objectionsIn(state, MAX_LISTED)) {
          ObjectNode o = render(x, now);
          if (!overdueOnly || o.path("overdue").asBoolean()) {
            list.add(o);
          }
        }
      }
      return Reply.json(HttpResponseStatus.OK, out.toString());
    } catch (SQLException e) {
      return databaseDown(e);
    }
  }

  // ---------------------------------------------------------------- objections

  /** {@code POST /v1/objections}: {@code consumer} reports a wrong record of a resource. */
  public Reply object(PartyId consumer, byte[] body) {
    ObjectNode in;
    try {
      in = object(body, Set.of("resource", "record", "description"));
    } catch (BadInput e) {
      return Reply.refuse(HttpResponseStatus.BAD_REQUEST, "MALFORMED_BODY", e.text);
    }
    List<Problem.Reason> reasons = new ArrayList<>();
    String resource = text(in, "resource", 256, reasons);
    String record = text(in, "record", 512, reasons);
    String description = text(in, "description", 4000, reasons);
    if (!reasons.isEmpty()) {
      return Reply.refuse(HttpResponseStatus.BAD_REQUEST, reasons, "the objection is not well-formed");
    }
    Catalog catalog = catalog();
    if (catalog == null) {
      return Reply.refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, "CATALOG_UNAVAILABLE",
          "the newest published bundle carries no valid catalog");
    }
    Optional<CatalogResource> r = catalog.resource(resource);
    if (r.isEmpty()) {
      return Reply.refuse(HttpResponseStatus.UNPROCESSABLE_ENTITY, "RESOURCE_UNKNOWN", "no resource " + resource + " in the catalog");
    }
    if (r.get().provider().equals(consumer)) {
      return Reply.refuse(HttpResponseStatus.UNPROCESSABLE_ENTITY, "OWN_RESOURCE", "a provider corrects its own records directly");
    }
    Reply unavailable = auditUnavailable();
    if (unavailable != null) {
      return unavailable;
    }
    Instant now = clock.instant();
    CaseStore.Objection o = new CaseStore.Objection("obj-" + UUID.randomUUID(), consumer.toString(),
        r.get().provider().toString(), resource, record, description, CaseState.SUBMITTED, now, null, null);
    AuditRecord rec = record(o.consumer(), o.provider(), "objections/" + o.id(), "object", CaseState.SUBMITTED, body, now);
    try {
      write(rec, beforeCommit -> {
        store.insert(o, beforeCommit);
        return true;
      });
    } catch (SQLException e) {
      return databaseDown(e);
    } catch (AuditUnavailableException e) {
      return auditDown();
    }
    return Reply.json(HttpResponseStatus.CREATED, render(o, now).toString());
  }

  /** {@code GET /v1/objections}. */
  public Reply objections(PartyId party) {
    try {
      Instant now = clock.instant();
      ArrayNode list = JSON.createArrayNode();
      for (CaseStore.Objection o : store.objectionsOf(party.toString())) {
        list.add(render(o, now));
      }
      return Reply.json(HttpResponseStatus.OK, JSON.createObjectNode().set("objections", list).toString());
    } catch (SQLException e) {
      return databaseDown(e);
    }
  }

  /** {@code GET /v1/objections/{id}}. */
  public Reply objection(PartyId party, String id) {
    try {
      Optional<CaseStore.Objection> o = visibleObjection(party, id);
      return o.isEmpty() ? notFound() : Reply.json(HttpResponseStatus.OK, render(o.get(), clock.instant()).toString());
    } catch (SQLException e) {
      return databaseDown(e);
    }
  }

  /** {@code POST /v1/objections/{id}/answer} with {@code {"outcome": "corrected"|"rejected", "reason": "…"}}. */
  public Reply answerObjection(PartyId party, String id, byte[] body) {
    CaseState next;
    String reason;
    try {
      ObjectNode in = object(body, Set.of("outcome", "reason"));
      String outcome = in.path("outcome").asText("");
      next = outcome.equals("corrected") ? CaseState.CORRECTED : outcome.equals("rejected") ? CaseState.REJECTED : null;
      if (next == null) {
        throw new BadInput("outcome: corrected or rejected");
      }
      JsonNode r = in.path("reason");
      if (!r.isTextual() || r.textValue().isBlank() || r.textValue().length() > 2000) {
        throw new BadInput("reason: what was corrected or why the record is right, 1 to 2000 characters");
      }
      reason = r.textValue();
    } catch (BadInput e) {
      return Reply.refuse(HttpResponseStatus.BAD_REQUEST, "MALFORMED_BODY", e.text);
    }
    return moveObjection(party, id, next, reason, body);
  }

  /** {@code POST /v1/objections/{id}/withdraw}: only the consumer. */
  public Reply withdrawObjection(PartyId party, String id) {
    return moveObjection(party, id, CaseState.WITHDRAWN, null, new byte[0]);
  }

  private Reply moveObjection(PartyId party, String id, CaseState next, @Nullable String reason, byte[] body) {
    try {
      Optional<CaseStore.Objection> found = visibleObjection(party, id);
      if (found.isEmpty()) {
        return notFound();
      }
      CaseStore.Objection o = found.get();
      boolean consumerActs = next == CaseState.WITHDRAWN;
      String actor = party.toString();
      if (consumerActs && !actor.equals(o.consumer())) {
        return Reply.refuse(HttpResponseStatus.FORBIDDEN, "NOT_CONSUMER", "only the reporting party may withdraw an objection");
      }
      if (!consumerActs && !actor.equals(o.provider())) {
        return Reply.refuse(HttpResponseStatus.FORBIDDEN, "NOT_PROVIDER", "only the resource's provider may answer an objection");
      }
      if (!o.state().canMoveTo(CaseState.Kind.OBJECTION, next)) {
        return illegal(o.state(), next);
      }
      Reply unavailable = auditUnavailable();
      if (unavailable != null) {
        return unavailable;
      }
      Instant now = clock.instant();
      AuditRecord rec = record(actor, consumerActs ? o.provider() : o.consumer(), "objections/" + id, next.wireName(), next,
          body, now);
      if (!write(rec, beforeCommit -> store.answer(CaseState.Kind.OBJECTION, id, next, now, reason, null, null, beforeCommit))) {
        return illegal(store.objection(id).orElse(o).state(), next);
      }
      return Reply.json(HttpResponseStatus.OK, render(store.objection(id).orElseThrow(), now).toString());
    } catch (SQLException e) {
      return databaseDown(e);
    } catch (AuditUnavailableException e) {
      return auditDown();
    }
  }

  private Optional<CaseStore.Objection> visibleObjection(PartyId party, String id) throws SQLException {
    String p = party.toString();
    return store.objection(id).filter(x -> x.consumer().equals(p) || x.provider().equals(p));
  }

  // ---------------------------------------------------------------- shared

  private @Nullable Catalog catalog() {
    Optional<CityBundle> b = trust.current();
    if (b.isEmpty()) {
      return null;
    }
    Optional<String> text = b.get().extension("catalog");
    if (text.isEmpty()) {
      return null;
    }
    try {
      return Catalog.parse("bundle:catalog", text.get().getBytes(StandardCharsets.UTF_8));
    } catch (io.shulian.core.catalog.InvalidDocumentException e) {
      return null;
    }
  }

  private ObjectNode render(CaseStore.Application a, Instant now) {
    ObjectNode o = common(a.id(), a.consumer(), a.provider(), a.resource(), a.state(), a.submittedAt(), a.answeredAt(),
        a.answerReason(), now);
    o.put("purpose", a.purpose());
    ArrayNode f = o.putArray("fields");
    a.fields().forEach(f::add);
    o.put("from", a.from().toString()).put("until", a.until().toString()).put("legalBasis", a.legalBasis())
        .put("maxUses", a.maxUses());
    if (a.grantId() != null) {
      o.put("grantId", a.grantId());
    }
    return o;
  }

  private ObjectNode render(CaseStore.Objection x, Instant now) {
    ObjectNode o = common(x.id(), x.consumer(), x.provider(), x.resource(), x.state(), x.submittedAt(), x.answeredAt(),
        x.answerReason(), now);
    o.put("record", x.record()).put("description", x.description());
    return o;
  }

  private ObjectNode common(String id, String consumer, String provider, String resource, CaseState state,
      Instant submittedAt, @Nullable Instant answeredAt, @Nullable String reason, Instant now) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", id).put("consumer", consumer).put("provider", provider).put("resource", resource)
        .put("state", state.wireName()).put("submittedAt", submittedAt.toString());
    if (answeredAt != null) {
      o.put("answeredAt", answeredAt.toString());
      o.put("responseSeconds", Duration.between(submittedAt, answeredAt).toSeconds());
    }
    if (reason != null) {
      o.put("reason", reason);
    }
    o.put("deadline", submittedAt.plus(deadline).toString());
    o.put("overdue", state == CaseState.SUBMITTED && now.isAfter(submittedAt.plus(deadline)));
    return o;
  }

  private static Reply illegal(CaseState from, CaseState to) {
    return Reply.refuse(HttpResponseStatus.CONFLICT, "ILLEGAL_TRANSITION",
        "the case is " + from.wireName() + "; it cannot become " + to.wireName());
  }

  private static Reply notFound() {
    return Reply.refuse(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such case for this party");
  }

  private static Reply databaseDown(SQLException e) {
    LOG.atError().addKeyValue("event", "hub_case_database_failed").log("case not stored: {}", e.getMessage());
    return Reply.refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, "DATABASE_UNAVAILABLE", "the hub's database does not answer");
  }

  private @Nullable Reply auditUnavailable() {
    try {
      audit.checkWritable();
      return null;
    } catch (AuditUnavailableException e) {
      return auditDown();
    }
  }

  private static Reply auditDown() {
    return Reply.refuse(HttpResponseStatus.SERVICE_UNAVAILABLE, AuditUnavailableException.CODE,
        "the hub's audit log is not writable; nothing was changed");
  }

  /** A case change: {@code beforeCommit} is its transaction's last step; true if the case moved. */
  @FunctionalInterface
  private interface CaseWrite {
    boolean run(HubStore.InTransaction beforeCommit) throws SQLException, AuditUnavailableException;
  }

  /** Runs {@code w} with {@code rec} appended before its commit (no record, no change). */
  private boolean write(AuditRecord rec, CaseWrite w) throws SQLException, AuditUnavailableException {
    return audit.commitWith(rec, before -> w.run(c -> before.append()), moved -> moved);
  }

  /** The audit record of a state change. */
  private AuditRecord record(String actor, String counterpart, String resource, String purpose, CaseState state, byte[] body,
      Instant at) {
    return AuditRecord.builder()
        .time(at)
        .envelopeId("hub-case-" + UUID.randomUUID())
        .direction(Direction.REQUEST_IN)
        .sender(actor)
        .receiver(counterpart)
        .resource(resource)
        .purpose(purpose)
        .decision(AuditDecision.builder(AuditDecision.Effect.PERMIT).reasonCodes(List.of(state.name())).build())
        .payloadDigest(HashAlgorithm.SHA_256, HubAudit.sha256(body))
        .payloadBytes(body.length)
        .status(200)
        .outcome(state.name())
        .latency(Duration.between(at, clock.instant()).abs())
        .app(actor)
        .build();
  }

  /** A body that is not the JSON object a route takes. */
  private static final class BadInput extends Exception {
    private static final long serialVersionUID = 1L;

    final String text;

    BadInput(String message) {
      super(message);
      this.text = message;
    }
  }

  private static ObjectNode object(byte[] body, Set<String> allowed) throws BadInput {
    JsonNode n;
    try {
      n = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new BadInput("not valid JSON (line " + e.getLocation().getLineNr() + ")");
    } catch (java.io.IOException e) {
      throw new BadInput("not valid JSON");
    }
    if (n == null || !n.isObject()) {
      throw new BadInput("the body must be a JSON object");
    }
    Set<String> unknown = new LinkedHashSet<>();
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!allowed.contains(k)) {
        unknown.add(k.length() > 64 ? k.substring(0, 64) + "…" : k);
      }
    }
    if (!unknown.isEmpty()) {
      throw new BadInput("unknown members " + unknown + "; allowed: " + new java.util.TreeSet<>(allowed));
    }
    return (ObjectNode) n;
  }

  private static String reason(byte[] body) throws BadInput {
    JsonNode r = object(body, Set.of("reason")).path("reason");
    if (!r.isTextual() || r.textValue().isBlank() || r.textValue().length() > 2000) {
      throw new BadInput("reason: 1 to 2000 characters");
    }
    return r.textValue();
  }

  private static String text(ObjectNode in, String name, int max, List<Problem.Reason> reasons) {
    JsonNode n = in.path(name);
    if (!n.isTextual() || n.textValue().isBlank() || n.textValue().length() > max) {
      reasons.add(new Problem.Reason("BAD_FIELD", name + ": text of 1 to " + max + " characters"));
      return "";
    }
    return n.textValue();
  }

  private static @Nullable Instant instant(ObjectNode in, String name, List<Problem.Reason> reasons) {
    JsonNode n = in.path(name);
    try {
      if (n.isTextual()) {
        return Instant.parse(n.textValue());
      }
    } catch (DateTimeParseException e) {
      // reported below
    }
    reasons.add(new Problem.Reason("BAD_FIELD", name + ": an ISO-8601 instant, e.g. 2026-12-01T00:00:00Z"));
    return null;
  }
}
