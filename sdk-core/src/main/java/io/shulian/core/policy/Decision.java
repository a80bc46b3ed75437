package io.shulian.core.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.policy.mask.MaskSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of a policy decision: PERMIT or DENY, why (reason codes with messages), which rules
 * decided, what the gateway must do (obligations) and which policy-set version decided it (for
 * the audit record). A value, never an exception. Immutable.
 */
public final class Decision {
  /** PERMIT or DENY. */
  public enum Effect {
    PERMIT,
    DENY
  }

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper READER = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
      .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder().maxNestingDepth(16).build())
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build());

  private final Effect effect;
  private final List<Reason> reasons;
  private final List<String> ruleIds;
  private final Obligations obligations;
  private final String policyVersion;

  private Decision(Effect effect, List<Reason> reasons, List<String> ruleIds, Obligations obligations, String policyVersion) {
    this.effect = effect;
    this.reasons = List.copyOf(reasons);
    this.ruleIds = List.copyOf(ruleIds);
    this.obligations = obligations;
    this.policyVersion = policyVersion;
  }

  static Decision permit(List<Reason> reasons, List<String> ruleIds, Obligations obligations, String version) {
    return new Decision(Effect.PERMIT, reasons, ruleIds, obligations, version);
  }

  static Decision deny(List<Reason> reasons, List<String> ruleIds, String version) {
    if (reasons.isEmpty()) {
      throw new IllegalArgumentException("a DENY needs a reason");
    }
    return new Decision(Effect.DENY, reasons, ruleIds, Obligations.none(), version);
  }

  static Decision deny(ReasonCode code, String message, String version) {
    return deny(List.of(new Reason(code, message)), List.of(), version);
  }

  public Effect effect() {
    return effect;
  }

  public boolean isPermit() {
    return effect == Effect.PERMIT;
  }

  /** Returns the reasons, most decisive first. A DENY has at least one. */
  public List<Reason> reasons() {
    return reasons;
  }

  /** Returns true if some reason has this code. */
  public boolean hasReason(ReasonCode code) {
    for (Reason r : reasons) {
      if (r.code() == code) {
        return true;
      }
    }
    return false;
  }

  /** Returns true if some reason has the code with this wire name. */
  public boolean hasReason(String code) {
    for (Reason r : reasons) {
      if (r.code().wireName().equals(code)) {
        return true;
      }
    }
    return false;
  }

  /** Returns the ids of the rules that decided: the FORBIDs of a DENY, the PERMITs of a PERMIT. */
  public List<String> ruleIds() {
    return ruleIds;
  }

  /**
   * Returns the obligations of a PERMIT.
   *
   * @throws IllegalStateException for a DENY: nothing may be released for it, so there is nothing
   *     to mask with (an empty set of masks would release a record unmasked)
   */
  public Obligations obligations() {
    requirePermit();
    return obligations;
  }

  /**
   * Starts a masker for a response released under this PERMIT (see {@link Obligations#masker()}).
   *
   * @throws IllegalStateException for a DENY
   */
  public io.shulian.core.policy.mask.Masker.Builder masker() {
    requirePermit();
    return obligations.masker();
  }

  private void requirePermit() {
    if (effect != Effect.PERMIT) {
      throw new IllegalStateException("the decision is a DENY (" + reasons.get(0).code()
          + "); only a PERMIT releases data, so it has no obligations");
    }
  }

  /** Returns the policy-set version hash that decided. */
  public String policyVersion() {
    return policyVersion;
  }

  /** Returns the decision as JSON (what {@code shulian policy check} prints). */
  public String toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("effect", effect.name());
    ArrayNode rs = o.putArray("reasons");
    for (Reason r : reasons) {
      rs.addObject().put("code", r.code().wireName()).put("message", r.message());
    }
    ArrayNode ids = o.putArray("rules");
    ruleIds.forEach(ids::add);
    ObjectNode ob = o.putObject("obligations");
    ObjectNode masks = ob.putObject("masks");
    for (Map.Entry<String, MaskSpec> e : obligations.masks().entrySet()) {
      ObjectNode m = masks.putObject(e.getKey());
      m.put("function", e.getValue().function().wireName());
      e.getValue().params().forEach(m::put);
    }
    ob.put("audit", obligations.audit().wireName());
    if (!obligations.catalogFields().isEmpty()) {
      ArrayNode fs = ob.putArray("fields");
      obligations.catalogFields().forEach(fs::add);
    }
    if (obligations.dropUnlisted()) {
      ob.put("dropUnlisted", true);
    }
    if (!obligations.recordDivision().isEmpty()) {
      ObjectNode rd = ob.putObject("recordDivision");
      obligations.recordDivision().forEach(rd::put);
    }
    o.put("policyVersion", policyVersion);
    try {
      return JSON.writeValueAsString(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads the obligations of a decision printed by {@link #toJson()}. Only a PERMIT has any; a DENY
   * is refused, since nothing may be released for it.
   *
   * @throws IllegalArgumentException if the JSON is not a decision, is a DENY, or names an unknown
   *     mask function or parameter
   */
  public static Obligations obligationsFromJson(byte[] json) {
    JsonNode n;
    try {
      n = READER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("decision is not valid JSON");
    }
    if (n == null || !n.isObject() || !n.path("effect").isTextual()) {
      throw new IllegalArgumentException("not a decision: no effect");
    }
    if (!"PERMIT".equals(n.get("effect").textValue())) {
      throw new IllegalArgumentException("the decision is " + n.get("effect").textValue() + "; only a PERMIT releases data");
    }
    JsonNode ob = n.path("obligations");
    Map<String, MaskSpec> masks = new LinkedHashMap<>();
    JsonNode ms = ob.path("masks");
    if (!ms.isMissingNode() && !ms.isObject()) {
      throw new IllegalArgumentException("obligations.masks must be an object");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = ms.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode m = e.getValue();
      if (!m.isObject() || !m.path("function").isTextual()) {
        throw new IllegalArgumentException("mask of " + e.getKey() + " must be an object with a function");
      }
      Map<String, String> params = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> p = m.fields(); p.hasNext(); ) {
        Map.Entry<String, JsonNode> pe = p.next();
        if (!pe.getKey().equals("function")) {
          params.put(pe.getKey(), pe.getValue().asText());
        }
      }
      masks.put(e.getKey(), MaskSpec.parse(m.get("function").textValue(), params));
    }
    AuditLevel audit = AuditLevel.STANDARD;
    if (ob.path("audit").isTextual()) {
      audit = AuditLevel.fromWireName(ob.get("audit").textValue());
      if (audit == null) {
        throw new IllegalArgumentException("unknown audit level " + ob.get("audit").textValue());
      }
    }
    List<String> fields = new ArrayList<>();
    JsonNode fs = ob.path("fields");
    if (!fs.isMissingNode()) {
      if (!fs.isArray()) {
        throw new IllegalArgumentException("obligations.fields must be an array of field paths");
      }
      for (JsonNode f : fs) {
        if (!f.isTextual()) {
          throw new IllegalArgumentException("obligations.fields must be an array of field paths");
        }
        fields.add(f.textValue());
      }
    }
    JsonNode du = ob.path("dropUnlisted");
    if (!du.isMissingNode() && !du.isBoolean()) {
      throw new IllegalArgumentException("obligations.dropUnlisted must be true or false");
    }
    Map<String, String> recordDivision = new LinkedHashMap<>();
    JsonNode rd = ob.path("recordDivision");
    if (!rd.isMissingNode()) {
      if (!rd.isObject()) {
        throw new IllegalArgumentException("obligations.recordDivision must map field paths to division codes");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = rd.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isTextual()) {
          throw new IllegalArgumentException("obligations.recordDivision must map field paths to division codes");
        }
        recordDivision.put(e.getKey(), e.getValue().textValue());
      }
    }
    return Obligations.of(masks, audit, fields, du.asBoolean(false), recordDivision);
  }

  @Override
  public boolean equals(@org.jspecify.annotations.Nullable Object o) {
    if (!(o instanceof Decision)) {
      return false;
    }
    Decision d = (Decision) o;
    return d.effect == effect && d.reasons.equals(reasons) && d.ruleIds.equals(ruleIds)
        && d.obligations.equals(obligations) && d.policyVersion.equals(policyVersion);
  }

  @Override
  public int hashCode() {
    return Objects.hash(effect, reasons, ruleIds, obligations, policyVersion);
  }

  @Override
  public String toString() {
    return "Decision[" + effect + " " + reasons + " by " + ruleIds + ", " + obligations + ", " + policyVersion + "]";
  }

  static List<Reason> list(Reason r) {
    List<Reason> l = new ArrayList<>(1);
    l.add(r);
    return l;
  }
}
