package io.shulian.gateway.assess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.shulian.core.catalog.CatalogField;
import io.shulian.core.catalog.CatalogResource;
import io.shulian.core.catalog.Endpoint;
import io.shulian.core.catalog.PersonalInfo;
import io.shulian.core.catalog.SharingType;
import io.shulian.core.envelope.Classification;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.PartyId;
import io.shulian.core.policy.Grant;
import io.shulian.core.policy.GrantException;
import io.shulian.core.policy.GrantVerifier;
import io.shulian.core.policy.PolicySet;
import io.shulian.core.policy.VerifiedGrant;
import io.shulian.core.trust.CityBundle;
import io.shulian.core.trust.CityTrust;
import io.shulian.core.trust.CrlStatus;
import io.shulian.core.trust.SenderTrust;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Checks a catalog, its policy set and optionally the city bundle and grants for risky
 * configuration (安全评估). Every check is listed with its finding kind and severity in
 * docs/assessment-and-evaluation.md. Pure: it reads only what the builder was given, so the hub can
 * run it on a submitted bundle before review.
 *
 * <p>The policy set must already have loaded ({@link PolicySet#parse}), so the documents are
 * well-formed; the assessor reads the policy document's tree again for the details a
 * {@link io.shulian.core.policy.Rule} does not expose.
 */
public final class SecurityAssessor {
  /** Default window in which an expiring certificate is reported. */
  public static final Duration DEFAULT_CERTIFICATE_WARNING = Duration.ofDays(30);
  /** Default longest grant validity that is not reported. */
  public static final Duration DEFAULT_GRANT_MAX_VALIDITY = Duration.ofDays(366);
  /** Default largest grant use limit that is not reported. */
  public static final long DEFAULT_GRANT_MAX_USES = 100_000;

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  /** Field-name words that name personal information (last path segment, letters only, lower case). */
  private static final Pattern PERSONAL_NAME = Pattern.compile(
      "(.*(idnumber|idcard|idno|sfzh|sfzhm|identitycard|passport|phone|mobile|telephone|cellphone|email|address"
          + "|bankcard|cardnumber|bankaccount|licenseplate|birthday|birthdate|dateofbirth|xingming|shouji|dizhi).*)"
          + "|name|fullname|realname|personname|surname|givenname|xm|tel|dh|zz");

  private final PolicySet policySet;
  private final @Nullable JsonNode policies;
  private final @Nullable CityBundle bundle;
  private final @Nullable CityTrust bundleTrust;
  private final Map<String, String> grantTokens;
  private final @Nullable SenderTrust grantTrust;
  private final Instant now;
  private final Duration certificateWarning;
  private final Duration grantMaxValidity;
  private final long grantMaxUses;

  private SecurityAssessor(Builder b) {
    this.policySet = Objects.requireNonNull(b.policySet, "policySet");
    this.policies = b.policies;
    this.bundle = b.bundle;
    this.bundleTrust = b.bundleTrust;
    this.grantTokens = new LinkedHashMap<>(b.grantTokens);
    this.grantTrust = b.grantTrust != null ? b.grantTrust : b.bundleTrust;
    this.now = b.now;
    this.certificateWarning = b.certificateWarning;
    this.grantMaxValidity = b.grantMaxValidity;
    this.grantMaxUses = b.grantMaxUses;
  }

  /** Returns a builder; {@link Builder#policySet} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Runs every check and returns the findings. */
  public Assessment assess() {
    List<Finding> out = new ArrayList<>();
    Map<String, CatalogResource> resources = policySet.catalog().resources();
    List<RuleView> rules = rules();
    for (CatalogResource r : resources.values()) {
      checkResource(r, rules, out);
    }
    for (RuleView rule : rules) {
      checkRule(rule, resources, out);
    }
    if (bundle != null && bundleTrust != null) {
      checkBundle(bundle, bundleTrust, rules, out);
    }
    checkGrants(out);
    Map<String, String> subject = new LinkedHashMap<>();
    subject.put("catalogVersion", policySet.catalog().version());
    subject.put("policySetVersion", policySet.versionHash());
    if (bundle != null) {
      subject.put("bundleVersion", Long.toString(bundle.version()));
    }
    return new Assessment(now, subject, out);
  }

  // ---------------------------------------------------------------------------------- resources

  private void checkResource(CatalogResource r, List<RuleView> rules, List<Finding> out) {
    List<String> core = new ArrayList<>();
    boolean importantOrCore = false;
    List<String> generalPersonal = new ArrayList<>();
    for (CatalogField f : r.fields()) {
      if (f.classification() == Classification.CORE) {
        core.add(f.name());
      }
      if (f.classification() != Classification.GENERAL) {
        importantOrCore = true;
      }
      if (f.personalInfo() != PersonalInfo.NONE && f.classification() == Classification.GENERAL) {
        generalPersonal.add(f.name());
      }
      if (f.personalInfo() == PersonalInfo.NONE && looksPersonal(f.name()) && r.sharingType() != SharingType.NOT_SHARED) {
        out.add(new Finding("PERSONAL_INFO_UNDECLARED", Severity.HIGH, "field", r.code() + "#" + f.name(),
            "field '" + f.name() + "' of " + r.code() + " is named like personal information but declares personalInfo: none,"
                + " so it is released unmasked to every consumer the resource's rules permit",
            "declare its category (personalInfo: id-number, phone, name, address or bank-card) so the gateway masks it,"
                + " or rename the field if it holds no personal information"));
      }
    }
    if (r.sharingType() == SharingType.UNCONDITIONAL && !core.isEmpty()) {
      out.add(new Finding("CORE_DATA_UNCONDITIONAL", Severity.CRITICAL, "resource", r.code(),
          label(r) + " holds core data (" + String.join(", ", core) + ") and is shared unconditionally: any party"
              + " stating one of its purposes may query it, without application or grant",
          "make the resource conditional (sharing.type: conditional, with conditions), or move the core fields to a"
              + " separate conditional or not-shared resource"));
    }
    if (r.sharingType() == SharingType.UNCONDITIONAL && importantOrCore && hasPersonal(r)) {
      out.add(new Finding("PERSONAL_INFO_UNCONDITIONAL", Severity.MEDIUM, "resource", r.code(),
          label(r) + " releases important personal information (masked) to any party stating one of its purposes,"
              + " without application or grant",
          "make the resource conditional, or restrict it with a forbid rule for parties outside the departments that"
              + " need it; check that every purpose it lists needs the personal fields"));
    }
    if (!generalPersonal.isEmpty() && !importantOrCore && r.sharingType() != SharingType.NOT_SHARED
        && rules.stream().noneMatch(x -> x.permit && x.dropUnlisted && x.covers(r.code()))) {
      out.add(new Finding("UNLISTED_MEMBERS_KEPT", Severity.MEDIUM, "resource", r.code(),
          label(r) + " has personal information (" + String.join(", ", generalPersonal) + ") classified general and no"
              + " important field, so members of the backend's response that the catalog does not list are passed on"
              + " unmasked (only names aliasing a masked field are refused)",
          "classify personal fields as important (the gateway then drops unlisted members), or add the obligation"
              + " 'unlisted: drop' to the rules that permit the resource"));
    }
    if (r.sharingType() == SharingType.NOT_SHARED && !r.endpoints().isEmpty()) {
      out.add(new Finding("NOT_SHARED_WITH_ENDPOINTS", Severity.LOW, "resource", r.code(),
          label(r) + " is not shared but declares " + r.endpoints().size() + " endpoint(s) of its provider system;"
              + " requests are refused (NOT_SHARED), but the catalog advertises what the system serves",
          "remove the endpoints unless the refusal with the legal basis is wanted for these paths"));
    }
    if (r.sharingType() != SharingType.NOT_SHARED && r.endpoints().isEmpty()) {
      out.add(new Finding("NO_ENDPOINTS", Severity.INFO, "resource", r.code(),
          label(r) + " is shared but declares no endpoint, so nothing is served (UNKNOWN_ENDPOINT)",
          "declare the provider system's endpoints, or mark the resource not-shared"));
    }
    if (r.sharingType() == SharingType.CONDITIONAL && rules.stream().noneMatch(x -> x.covers(r.code()) && x.named(r.code()))) {
      out.add(new Finding("CONDITIONAL_WITHOUT_RULES", Severity.LOW, "resource", r.code(),
          label(r) + " is conditional but no explicit rule names it: a valid grant is the only control (no rate"
              + " limit, no time window, no forbid of export)",
          "add rules for it: e.g. a rate condition on a permit, a forbid of export, masks stricter than the defaults"));
    }
    for (Endpoint e : r.endpoints()) {
      if ("export".equals(e.action()) && hasPersonal(r) && r.sharingType() == SharingType.UNCONDITIONAL) {
        out.add(new Finding("BULK_EXPORT_OF_PERSONAL_INFO", Severity.MEDIUM, "resource", r.code(),
            r.code() + " serves a bulk export (" + e.method() + " " + e.pathTemplate() + ") of personal information",
            "check that an export permit exists only for the parties that need the bulk data, with a rate condition"));
      }
    }
  }

  /** Returns the code and display name of a resource, for messages. */
  private static String label(CatalogResource r) {
    return r.code() + " (" + r.name() + ")";
  }

  private static boolean hasPersonal(CatalogResource r) {
    return r.fields().stream().anyMatch(f -> f.personalInfo() != PersonalInfo.NONE);
  }

  static boolean looksPersonal(String fieldPath) {
    String last = fieldPath.substring(fieldPath.lastIndexOf('.') + 1).replace("[]", "");
    StringBuilder letters = new StringBuilder();
    for (int i = 0; i < last.length(); i++) {
      char c = last.charAt(i);
      if (Character.isLetter(c)) {
        letters.append(Character.toLowerCase(c));
      }
    }
    return PERSONAL_NAME.matcher(letters).matches();
  }

  // ---------------------------------------------------------------------------------- rules

  private void checkRule(RuleView rule, Map<String, CatalogResource> resources, List<Finding> out) {
    List<CatalogResource> named = new ArrayList<>();
    if (rule.resources == null) {
      named.addAll(resources.values());
    } else {
      for (String code : rule.resources) {
        CatalogResource r = resources.get(code);
        if (r != null) {
          named.add(r);
        }
      }
    }
    if (!rule.permit) {
      return;
    }
    if (rule.resources == null) {
      out.add(new Finding("RULE_ALL_RESOURCES", Severity.HIGH, "rule", rule.id,
          "permit rule " + rule.id + " applies to every resource (\"*\"), including resources added to the catalog later",
          "name the resources the rule is for"));
    }
    boolean anySubject = rule.subjectAny;
    boolean withGrant = rule.grantRequired;
    for (CatalogResource r : named) {
      List<String> core = new ArrayList<>();
      for (CatalogField f : r.fields()) {
        if (f.classification() == Classification.CORE && rule.fields != null && rule.fields.contains(f.name())) {
          core.add(f.name());
        }
      }
      if (!core.isEmpty() && !withGrant) {
        out.add(new Finding("CORE_FIELD_WITHOUT_GRANT", anySubject ? Severity.CRITICAL : Severity.HIGH, "rule", rule.id,
            "permit rule " + rule.id + " releases core field(s) " + String.join(", ", core) + " of " + r.code()
                + (anySubject ? " to every party" : " to its subject") + " without requiring a grant",
            "add 'grant: required' to the rule's conditions and narrow its subject to the parties approved for core data"));
      }
      if (rule.purposes != null) {
        for (String p : rule.purposes) {
          if (!r.purposes().contains(p)) {
            out.add(new Finding("RULE_PURPOSE_NOT_DECLARED", Severity.MEDIUM, "rule", rule.id,
                "permit rule " + rule.id + " permits purpose '" + p + "' which the catalog does not declare for " + r.code(),
                "remove the purpose from the rule, or add it to the resource's purposes in the catalog (a catalog review)"));
          }
        }
      } else if (r.sharingType() != SharingType.NOT_SHARED && !withGrant) {
        Set<String> others = new LinkedHashSet<>(policySet.catalog().purposes().keySet());
        others.removeAll(r.purposes());
        if (!others.isEmpty()) {
          out.add(new Finding("RULE_PURPOSE_UNBOUNDED", Severity.MEDIUM, "rule", rule.id,
              "permit rule " + rule.id + " has no purpose condition, so it permits " + r.code()
                  + " for purposes the catalog does not declare for it (" + String.join(", ", others) + ")",
              "add 'purpose: [" + String.join(", ", r.purposes()) + "]' to the rule's conditions"));
        }
      }
      if (r.sharingType() == SharingType.NOT_SHARED) {
        out.add(new Finding("RULE_ON_NOT_SHARED", Severity.LOW, "rule", rule.id,
            "permit rule " + rule.id + " names " + r.code() + ", which is not shared: the derived forbid wins, the rule"
                + " has no effect",
            "remove the resource from the rule, or change the catalog's sharing type through a review"));
      }
    }
    if (anySubject && !withGrant) {
      Set<String> risky = new LinkedHashSet<>(rule.actions);
      risky.retainAll(Set.of("export", "write", "return-flow"));
      if (!risky.isEmpty()) {
        out.add(new Finding("RULE_ANY_PARTY", Severity.HIGH, "rule", rule.id,
            "permit rule " + rule.id + " permits " + String.join(", ", risky) + " to every party (subject \"*\")"
                + " without a grant",
            "narrow the subject to the parties, systems, divisions or levels that need it, or require a grant"));
      }
    }
    if (rule.actionAny) {
      out.add(new Finding("RULE_ALL_ACTIONS", Severity.MEDIUM, "rule", rule.id,
          "permit rule " + rule.id + " permits every read action (\"*\"), including export and return-flow",
          "list the actions the rule is for (query, subscribe, ...)"));
    }
    if (rule.fields == null && rule.resources != null
        && named.stream().anyMatch(r -> r.fields().stream().anyMatch(f -> f.personalInfo() != PersonalInfo.NONE))) {
      out.add(new Finding("RULE_ALL_FIELDS", Severity.LOW, "rule", rule.id,
          "permit rule " + rule.id + " releases every non-core field (no 'fields'), including personal information",
          "list the fields the permitted use needs (data minimisation)"));
    }
    for (Map.Entry<String, String> m : rule.masks.entrySet()) {
      for (CatalogResource r : named) {
        CatalogField f = r.field(m.getKey()).orElse(null);
        if (f != null && f.personalInfo() != PersonalInfo.NONE && m.getValue().equals("none")) {
          out.add(new Finding("RULE_MASK_WEAKER_IGNORED", Severity.LOW, "rule", rule.id,
              "permit rule " + rule.id + " asks for no mask on personal field " + r.code() + "#" + f.name()
                  + "; the catalog's mask still applies (a rule can only make masks stricter)",
              "remove the 'none' mask: it suggests a release that does not happen"));
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------- bundle

  private void checkBundle(CityBundle b, CityTrust trust, List<RuleView> rules, List<Finding> out) {
    X509CRL crl = b.crl();
    Set<PartyId> members = new HashSet<>();
    for (CityBundle.Member m : b.parties()) {
      members.add(m.party().organisation());
      members.add(m.party());
      int usable = 0;
      for (PartyCertificate c : m.certificates()) {
        String serial = c.certificate().getSerialNumber().toString(16);
        String obj = m.party() + "#" + serial;
        boolean revoked = crl.isRevoked(c.certificate());
        if (revoked) {
          out.add(new Finding("CERTIFICATE_REVOKED", Severity.LOW, "certificate", obj,
              "certificate " + serial + " of " + m.party() + " is revoked in the bundle's CRL but still listed",
              "remove it from the member's certificates in the next bundle"));
        } else if (!c.notAfter().isAfter(now)) {
          out.add(new Finding("CERTIFICATE_EXPIRED", Severity.HIGH, "certificate", obj,
              "certificate " + serial + " of " + m.party() + " expired at " + c.notAfter(),
              "issue a new certificate (shulian ca issue / ca sign-csr), put it in the bundle and remove the expired one"));
        } else if (c.notAfter().isBefore(now.plus(certificateWarning))) {
          out.add(new Finding("CERTIFICATE_EXPIRING", Severity.MEDIUM, "certificate", obj,
              "certificate " + serial + " of " + m.party() + " expires at " + c.notAfter() + ", within "
                  + certificateWarning.toDays() + " days",
              "issue its successor now and add it to the bundle beside the current one (rollover)"));
          usable++;
        } else {
          usable++;
        }
      }
      if (usable == 0) {
        out.add(new Finding("PARTY_WITHOUT_VALID_CERTIFICATE", Severity.MEDIUM, "party", m.party().toString(),
            m.party() + " (" + m.name() + ") is a member without a valid, unrevoked certificate: it cannot exchange",
            "issue it a certificate, or remove the member"));
      }
    }
    for (CatalogResource r : policySet.catalog().resources().values()) {
      if (r.sharingType() != SharingType.NOT_SHARED && !members.contains(r.provider())
          && !members.contains(r.provider().organisation())) {
        out.add(new Finding("PROVIDER_NOT_MEMBER", Severity.MEDIUM, "resource", r.code(),
            "provider " + r.provider() + " of " + r.code() + " is not a member of the bundle",
            "add the provider to the bundle's parties, or correct the resource's provider"));
      }
    }
    for (RuleView rule : rules) {
      for (String p : rule.parties) {
        PartyId id;
        try {
          id = PartyId.parse(p);
        } catch (IllegalArgumentException e) {
          continue; // the policy set loaded, so this does not happen
        }
        if (!members.contains(id) && !members.contains(id.organisation())) {
          out.add(new Finding("RULE_PARTY_NOT_MEMBER", Severity.LOW, "rule", rule.id,
              "rule " + rule.id + " names party " + p + ", which is not a member of the bundle",
              "remove the party from the rule, or add it to the bundle"));
        }
      }
    }
    for (CrlStatus s : trust.crlStatus(now)) {
      if (s.state() != CrlStatus.State.FRESH) {
        out.add(new Finding("CRL_STALE", Severity.HIGH, "bundle", Long.toString(b.version()),
            "the bundle's CRL (#" + s.number() + ") was due for update at " + s.nextUpdate() + " (" + s.state() + ")",
            "issue a fresh CRL (shulian ca crl) and sign a new bundle"));
      } else if (s.nextUpdate().isBefore(now.plus(Duration.ofDays(1)))) {
        out.add(new Finding("CRL_NEAR_UPDATE", Severity.INFO, "bundle", Long.toString(b.version()),
            "the bundle's CRL (#" + s.number() + ") is due for update at " + s.nextUpdate(),
            "make sure the next bundle with a fresh CRL is published before then"));
      }
    }
    if (!b.validUntil().isAfter(now)) {
      out.add(new Finding("BUNDLE_EXPIRED", Severity.HIGH, "bundle", Long.toString(b.version()),
          "the bundle expired at " + b.validUntil(), "sign and publish a new bundle"));
    }
  }

  // ---------------------------------------------------------------------------------- grants

  private void checkGrants(List<Finding> out) {
    if (grantTokens.isEmpty()) {
      return;
    }
    GrantVerifier verifier = grantTrust == null ? null : GrantVerifier.of(grantTrust, Clock.fixed(now, ZoneOffset.UTC));
    for (Map.Entry<String, String> e : grantTokens.entrySet()) {
      String label = e.getKey();
      if (verifier == null) {
        out.add(new Finding("GRANT_NOT_VERIFIED", Severity.HIGH, "grant", label,
            "grant " + label + " could not be checked: no bundle or issuer certificates were given",
            "assess with the signed bundle (--bundle) or the issuers' certificates (--grant-trust)"));
        continue;
      }
      VerifiedGrant vg;
      try {
        vg = verifier.verify(e.getValue());
      } catch (GrantException ex) {
        out.add(new Finding("GRANT_INVALID", Severity.HIGH, "grant", label,
            "grant " + label + " does not verify (" + ex.reason() + "): a gateway refuses it; it may be forged or from an"
                + " untrusted issuer",
            "find where it came from; reissue it with the provider's current key if it is legitimate"));
        continue;
      }
      checkGrant(vg.grant(), out);
    }
  }

  private void checkGrant(Grant g, List<Finding> out) {
    String key = g.key();
    if (bundle != null && bundle.isGrantRevoked(key)) {
      out.add(new Finding("GRANT_REVOKED", Severity.INFO, "grant", key, "grant " + key + " is revoked in the bundle",
          "delete the grant file; nothing else to do"));
      return;
    }
    if (!g.expiresAt().isAfter(now)) {
      out.add(new Finding("GRANT_EXPIRED", Severity.INFO, "grant", key, "grant " + key + " expired at " + g.expiresAt(),
          "delete the grant file"));
      return;
    }
    Duration validity = Duration.between(g.notBefore(), g.expiresAt());
    if (validity.compareTo(grantMaxValidity) > 0) {
      out.add(new Finding("GRANT_LONG_VALIDITY", Severity.MEDIUM, "grant", key,
          "grant " + key + " to " + g.consumer() + " is valid for " + validity.toDays() + " days (until " + g.expiresAt()
              + "), longer than " + grantMaxValidity.toDays() + " days: in practice it does not expire",
          "revoke it (shulian grant revoke / hub action revoke-grant) and issue one for the period the use needs"));
    }
    if (g.maxUses() > grantMaxUses) {
      out.add(new Finding("GRANT_UNLIMITED_USES", Severity.MEDIUM, "grant", key,
          "grant " + key + " to " + g.consumer() + " allows " + g.maxUses() + " uses, more than " + grantMaxUses
              + ": in practice it has no use limit",
          "revoke it and issue one with the number of uses the application needs (--max-uses)"));
    }
    CatalogResource r = policySet.catalog().resources().get(g.resource());
    if (r == null) {
      out.add(new Finding("GRANT_UNKNOWN_RESOURCE", Severity.LOW, "grant", key,
          "grant " + key + " is for resource '" + g.resource() + "', which is not in the catalog",
          "revoke the grant"));
      return;
    }
    if (!r.provider().organisation().equals(g.issuer().organisation())) {
      out.add(new Finding("GRANT_NOT_FROM_PROVIDER", Severity.MEDIUM, "grant", key,
          "grant " + key + " for " + r.code() + " is issued by " + g.issuer() + ", not by its provider " + r.provider(),
          "revoke it: only the provider can grant access to its resource"));
    }
    if (r.sharingType() != SharingType.CONDITIONAL) {
      out.add(new Finding("GRANT_FOR_UNCONDITIONAL_RESOURCE", Severity.LOW, "grant", key,
          "grant " + key + " is for " + r.code() + ", which is " + r.sharingType().wireName() + ": the grant only"
              + " restricts or has no effect",
          "revoke it, or review the resource's sharing type"));
    }
    if (!r.purposes().contains(g.purpose())) {
      out.add(new Finding("GRANT_PURPOSE_NOT_DECLARED", Severity.MEDIUM, "grant", key,
          "grant " + key + " names purpose '" + g.purpose() + "', which the catalog does not declare for " + r.code(),
          "revoke it; issue grants for the resource's declared purposes only"));
    }
    List<String> core = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (String f : g.fields()) {
      CatalogField cf = r.field(f).orElse(null);
      if (cf == null) {
        unknown.add(f);
      } else if (cf.classification() == Classification.CORE) {
        core.add(f);
      }
    }
    if (!unknown.isEmpty()) {
      out.add(new Finding("GRANT_UNKNOWN_FIELD", Severity.LOW, "grant", key,
          "grant " + key + " names fields not in " + r.code() + ": " + String.join(", ", unknown),
          "reissue the grant with the catalog's field names"));
    }
    if (!core.isEmpty()) {
      out.add(new Finding("GRANT_CORE_FIELD", Severity.MEDIUM, "grant", key,
          "grant " + key + " to " + g.consumer() + " names core field(s) " + String.join(", ", core) + " of " + r.code(),
          "check the approval for core data; core fields are released only where a permit rule also names them"));
    }
  }

  // ---------------------------------------------------------------------------------- rule views

  /** What the assessor needs of one explicit rule, read from the policy document's tree. */
  private static final class RuleView {
    String id = "";
    boolean permit;
    boolean subjectAny;
    final List<String> parties = new ArrayList<>();
    final Set<String> actions = new LinkedHashSet<>();
    boolean actionAny;
    @Nullable Set<String> resources;
    @Nullable List<String> fields;
    @Nullable Set<String> purposes;
    boolean grantRequired;
    boolean dropUnlisted;
    final Map<String, String> masks = new LinkedHashMap<>();

    boolean covers(String resource) {
      return resources == null || resources.contains(resource);
    }

    boolean named(String resource) {
      return resources != null && resources.contains(resource);
    }
  }

  private List<RuleView> rules() {
    List<RuleView> out = new ArrayList<>();
    JsonNode rs = policies == null ? null : policies.get("rules");
    if (rs == null || !rs.isArray()) {
      return out;
    }
    for (JsonNode n : rs) {
      RuleView v = new RuleView();
      v.id = text(n.get("id"));
      v.permit = "permit".equals(text(n.get("effect")));
      JsonNode s = n.get("subject");
      v.subjectAny = s == null || s.isTextual();
      if (s != null && s.isObject()) {
        List<String> ps = texts(s.get("party"));
        if (ps != null) {
          v.parties.addAll(ps);
        }
      }
      List<String> as = texts(n.get("action"));
      if (as == null) {
        v.actionAny = true;
        v.actions.addAll(List.of("query", "subscribe", "export", "return-flow"));
        if (!v.permit) {
          v.actions.add("write");
        }
      } else {
        v.actions.addAll(as);
      }
      List<String> res = texts(n.get("resource"));
      v.resources = res == null ? null : new LinkedHashSet<>(res);
      v.fields = texts(n.get("fields"));
      JsonNode c = n.get("conditions");
      if (c != null && c.isObject()) {
        List<String> p = texts(c.get("purpose"));
        v.purposes = p == null ? null : new LinkedHashSet<>(p);
        v.grantRequired = "required".equals(text(c.get("grant")));
      }
      JsonNode o = n.get("obligations");
      if (o != null && o.isObject()) {
        v.dropUnlisted = "drop".equals(text(o.get("unlisted")));
        JsonNode m = o.get("mask");
        if (m != null && m.isObject()) {
          m.fields().forEachRemaining(e -> v.masks.put(e.getKey(),
              e.getValue().isTextual() ? e.getValue().textValue() : text(e.getValue().get("function"))));
        }
      }
      out.add(v);
    }
    return out;
  }

  private static String text(@Nullable JsonNode n) {
    return n != null && n.isTextual() ? n.textValue() : "";
  }

  /** Returns the strings of a scalar-or-list member; null for a missing member or one holding "*". */
  private static @Nullable List<String> texts(@Nullable JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    List<String> out = new ArrayList<>();
    if (n.isArray()) {
      for (JsonNode e : n) {
        out.add(e.asText());
      }
    } else {
      out.add(n.asText());
    }
    return out.contains("*") ? null : out;
  }

  /** Builds a {@link SecurityAssessor}. */
  public static final class Builder {
    private @Nullable PolicySet policySet;
    private @Nullable JsonNode policies;
    private @Nullable CityBundle bundle;
    private @Nullable CityTrust bundleTrust;
    private final Map<String, String> grantTokens = new LinkedHashMap<>();
    private @Nullable SenderTrust grantTrust;
    private Instant now = Instant.now();
    private Duration certificateWarning = DEFAULT_CERTIFICATE_WARNING;
    private Duration grantMaxValidity = DEFAULT_GRANT_MAX_VALIDITY;
    private long grantMaxUses = DEFAULT_GRANT_MAX_USES;

    private Builder() {}

    /**
     * Sets the loaded policy set and the text of the policy document it was loaded from (YAML or
     * JSON; null if the set is the catalog's derived rules only).
     *
     * @throws IllegalArgumentException if the text is not YAML (it must be the text the set was loaded from)
     */
    public Builder policySet(PolicySet set, @Nullable String policiesText) {
      this.policySet = Objects.requireNonNull(set, "set");
      if (policiesText == null) {
        this.policies = null;
      } else {
        try {
          this.policies = YAML.readTree(policiesText.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
          throw new IllegalArgumentException("the policy text does not parse although its set loaded", e);
        }
      }
      return this;
    }

    /**
     * Assesses the verified bundle's members, certificates, CRL and grant revocations too; {@code
     * trust} is the bundle's {@link CityBundle#trust} (it also verifies grants unless {@link
     * #grantTrust} is set).
     */
    public Builder bundle(CityBundle b, CityTrust trust) {
      this.bundle = Objects.requireNonNull(b, "b");
      this.bundleTrust = Objects.requireNonNull(trust, "trust");
      return this;
    }

    /**
     * Adds a grant token (compact JWS) to check; it is verified first (against the bundle's trust
     * or {@link #grantTrust}). {@code label} (a file name, an application id) names it in findings
     * when it does not verify.
     */
    public Builder grant(String label, String token) {
      this.grantTokens.put(Objects.requireNonNull(label, "label"), Objects.requireNonNull(token, "token"));
      return this;
    }

    /** Verifies grants against these issuers instead of the bundle (e.g. pinned provider certificates). */
    public Builder grantTrust(SenderTrust trust) {
      this.grantTrust = Objects.requireNonNull(trust, "trust");
      return this;
    }

    /** Sets the time of the assessment (default: now). */
    public Builder now(Instant t) {
      this.now = Objects.requireNonNull(t, "t");
      return this;
    }

    /** Reports certificates that expire within this window (default 30 days). */
    public Builder certificateWarning(Duration d) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("certificate warning must not be negative, got " + d);
      }
      this.certificateWarning = d;
      return this;
    }

    /** Reports grants valid for longer than this (default 366 days). */
    public Builder grantMaxValidity(Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("grant max validity must be positive, got " + d);
      }
      this.grantMaxValidity = d;
      return this;
    }

    /** Reports grants with a use limit above this (default 100,000). */
    public Builder grantMaxUses(long n) {
      if (n < 1) {
        throw new IllegalArgumentException("grant max uses must be at least 1, got " + n);
      }
      this.grantMaxUses = n;
      return this;
    }

    /**
     * Builds the assessor.
     *
     * @throws IllegalStateException if no policy set was given
     */
    public SecurityAssessor build() {
      if (policySet == null) {
        throw new IllegalStateException("a policy set is required");
      }
      return new SecurityAssessor(this);
    }
  }

}
