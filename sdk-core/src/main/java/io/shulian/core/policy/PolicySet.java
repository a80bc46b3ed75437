package io.shulian.core.policy;

import io.shulian.core.internal.access.CoreAccess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.catalog.Catalog;
import io.shulian.core.catalog.CatalogResource;
import io.shulian.core.catalog.InvalidDocumentException;
import io.shulian.core.catalog.PersonalInfo;
import io.shulian.core.catalog.Problem;
import io.shulian.core.internal.yaml.LocatedTree;
import io.shulian.core.internal.yaml.LocatedTree.Problems;
import io.shulian.core.internal.yaml.LocatedTree.Reader;
import io.shulian.core.party.AdministrativeLevel;
import io.shulian.core.party.PartyId;
import io.shulian.core.policy.mask.MaskFunction;
import io.shulian.core.policy.mask.MaskSpec;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A versioned, self-contained policy set: a catalog, the rules it implies and the explicit rules
 * of a policy document. Its {@link #versionHash()} is the SHA-256 over the RFC 8785 JSON of both
 * documents, so it names exactly this content whatever the YAML layout; the city bundle embeds
 * both documents and every decision names the hash.
 *
 * <p>Every problem is found when the set is loaded, never at request time: unknown keys,
 * conditions, mask functions, parameters, resources or fields, wrong types and duplicate ids.
 */
public final class PolicySet {
  static final Pattern RULE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(s|m|h|d)");
  private static final Pattern SYSTEM = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Pattern DIVISION_PREFIX = Pattern.compile("\\d{1,12}");

  private final Catalog catalog;
  private final List<Rule> explicitRules;
  private final List<Rule> derivedRules;
  private final String version;
  private final String versionHash;

  private PolicySet(Catalog catalog, List<Rule> explicitRules, String version, JsonNode policyTree) {
    this.catalog = catalog;
    this.explicitRules = List.copyOf(explicitRules);
    this.derivedRules = derive(catalog);
    this.version = version;
    ObjectNode both = JsonNodeFactory.instance.objectNode();
    both.set("catalog", CoreAccess.catalogs().tree(catalog));
    both.set("policies", policyTree);
    this.versionHash = LocatedTree.sha256(LocatedTree.canonicalJson(both));
  }

  /**
   * Parses and checks a policy document against a catalog.
   *
   * @param source name used in problem locations
   * @throws InvalidDocumentException listing every problem with its location
   */
  public static PolicySet parse(Catalog catalog, String source, byte[] yaml) throws InvalidDocumentException {
    LocatedTree t;
    try {
      t = LocatedTree.parse(source, yaml);
    } catch (LocatedTree.SyntaxException e) {
      throw new InvalidDocumentException("policy set " + source, List.of(new Problem(e.location(), "", e.detail())));
    }
    Problems problems = new Problems(t);
    Reader r = new Reader(problems);
    List<Rule> rules = new ArrayList<>();
    String version = null;
    ObjectNode root = r.object(t.root(), "", List.of("version", "rules"), List.of("description"));
    if (root != null) {
      version = r.text(root.get("version"), "version", 64);
      r.text(root.get("description"), "description", 4000);
      JsonNode rs = root.has("rules") ? r.array(root.get("rules"), "rules") : null;
      Set<String> ids = new HashSet<>();
      if (rs != null) {
        for (int i = 0; i < rs.size(); i++) {
          Rule rule = rule(r, rs.get(i), "rules[" + i + "]", catalog);
          if (rule != null && !ids.add(rule.id)) {
            problems.add("rules[" + i + "].id", "duplicate rule id '" + rule.id + "'");
          } else if (rule != null) {
            rules.add(rule);
          }
        }
      }
    }
    if (!problems.isEmpty() || version == null) {
      List<Problem> out = new ArrayList<>();
      for (String[] p : problems.items()) {
        out.add(new Problem(p[0], p[1], p[2]));
      }
      throw new InvalidDocumentException("policy set " + source, out);
    }
    return new PolicySet(catalog, rules, version, t.root());
  }

  /** Returns a set with the catalog's derived rules only (no explicit rules). */
  public static PolicySet derivedOnly(Catalog catalog) {
    ObjectNode empty = JsonNodeFactory.instance.objectNode();
    empty.put("version", catalog.version());
    empty.putArray("rules");
    return new PolicySet(catalog, List.of(), catalog.version(), empty);
  }

  public Catalog catalog() {
    return catalog;
  }

  /** Returns the explicit rules, in document order. */
  public List<Rule> explicitRules() {
    return explicitRules;
  }

  /** Returns the rules derived from the catalog's sharing types. */
  public List<Rule> derivedRules() {
    return derivedRules;
  }

  /** Returns the policy document's own version label. */
  public String version() {
    return version;
  }

  /** Returns "sha256:" and the hex SHA-256 over the canonical JSON of catalog and policy documents. */
  public String versionHash() {
    return versionHash;
  }

  @Override
  public String toString() {
    return "PolicySet[" + version + ", " + explicitRules.size() + " rules + " + derivedRules.size() + " derived, "
        + versionHash + "]";
  }

  // ---------------------------------------------------------------- derived rules

  /**
   * Returns where a rule hashes a field, as {@code rule <id>: <field>}, in rule order; empty if no
   * mask needs a hash key. (Catalog defaults never hash.)
   */
  List<String> hashedFields() {
    List<String> out = new ArrayList<>();
    for (List<Rule> rules : List.of(explicitRules, derivedRules)) {
      for (Rule r : rules) {
        for (Map.Entry<String, MaskSpec> m : r.masks.entrySet()) {
          if (m.getValue().function() == MaskFunction.HASH) {
            out.add("rule " + r.id() + ": " + m.getKey());
          }
        }
      }
    }
    return out;
  }

  static MaskSpec defaultMask(PersonalInfo pi) {
    switch (pi) {
      case ID_NUMBER:
        return MaskSpec.of(MaskFunction.ID_NUMBER);
      case PHONE:
        return MaskSpec.of(MaskFunction.PHONE);
      case NAME:
        return MaskSpec.of(MaskFunction.NAME);
      case ADDRESS:
        return MaskSpec.of(MaskFunction.ADDRESS);
      case BANK_CARD:
        return MaskSpec.of(MaskFunction.BANK_CARD);
      default:
        return MaskSpec.of(MaskFunction.NONE);
    }
  }

  private static List<Rule> derive(Catalog catalog) {
    List<Rule> out = new ArrayList<>();
    Set<Action> shared = EnumSet.of(Action.QUERY, Action.SUBSCRIBE);
    for (CatalogResource res : catalog.all()) {
      String id = "catalog/" + res.code() + "/" + res.sharingType().wireName();
      switch (res.sharingType()) {
        case NOT_SHARED:
          out.add(new Rule(id, Rule.Effect.FORBID, true, String.valueOf(res.legalBasis()), Set.of(), Set.of(), List.of(),
              Set.of(), EnumSet.allOf(Action.class), Set.of(res.code()), null, null, null, null, false, null, Map.of(), null, false));
          break;
        case CONDITIONAL:
          out.add(new Rule(id, Rule.Effect.PERMIT, true, String.valueOf(res.conditions()), Set.of(), Set.of(), List.of(),
              Set.of(), shared, Set.of(res.code()), null, res.purposes(), null, null, true, null, Map.of(), null, false));
          break;
        default:
          out.add(new Rule(id, Rule.Effect.PERMIT, true, "unconditional sharing (catalog)", Set.of(), Set.of(), List.of(),
              Set.of(), shared, Set.of(res.code()), null, res.purposes(), null, null, false, null, Map.of(), null, false));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- explicit rules

  private static @Nullable Rule rule(Reader r, JsonNode n, String path, Catalog catalog) {
    ObjectNode o = r.object(n, path, List.of("id", "effect", "subject", "action", "resource", "basis"),
        List.of("fields", "conditions", "obligations", "description"));
    if (o == null) {
      return null;
    }
    int before = r.problems().items().size();
    String id = r.text(o.get("id"), path + ".id", 128);
    if (id != null && !RULE_ID.matcher(id).matches()) {
      r.problems().add(path + ".id", "'" + id + "' is not a rule id (letters, digits, '.', '_', ':', '/', '-')");
    } else if (id != null && id.startsWith("catalog/")) {
      r.problems().add(path + ".id", "rule ids starting with 'catalog/' are reserved for derived rules");
    }
    String basis = r.text(o.get("basis"), path + ".basis", 4000);
    r.text(o.get("description"), path + ".description", 4000);
    Rule.Effect effect = null;
    String es = r.text(o.get("effect"), path + ".effect", 16);
    if (es != null) {
      if (es.equals("permit")) {
        effect = Rule.Effect.PERMIT;
      } else if (es.equals("forbid")) {
        effect = Rule.Effect.FORBID;
      } else {
        r.problems().add(path + ".effect", "'" + es + "' is not permit or forbid");
      }
    }
    // subject
    Set<PartyId> parties = new LinkedHashSet<>();
    Set<String> systems = new LinkedHashSet<>();
    List<String> divisions = new ArrayList<>();
    Set<AdministrativeLevel> levels = EnumSet.noneOf(AdministrativeLevel.class);
    JsonNode sn = o.get("subject");
    if (sn != null && !(sn.isTextual() && sn.textValue().equals("*"))) {
      ObjectNode so = r.object(sn, path + ".subject", List.of(), List.of("party", "system", "division", "level"));
      if (so != null) {
        if (so.isEmpty()) {
          r.problems().add(path + ".subject", "an empty subject would match everyone; write subject: \"*\" to mean that");
        }
        List<String> ps = r.texts(so.get("party"), path + ".subject.party", 120);
        for (int i = 0; ps != null && i < ps.size(); i++) {
          try {
            parties.add(PartyId.parse(ps.get(i)));
          } catch (IllegalArgumentException e) {
            r.problems().add(path + ".subject.party[" + i + "]", "not a party id: " + e.getMessage());
          }
        }
        List<String> ss = r.texts(so.get("system"), path + ".subject.system", 64);
        for (int i = 0; ss != null && i < ss.size(); i++) {
          if (!SYSTEM.matcher(ss.get(i)).matches()) {
            r.problems().add(path + ".subject.system[" + i + "]", "'" + ss.get(i) + "' is not a system code");
          }
          systems.add(ss.get(i));
        }
        JsonNode dn = so.get("division");
        List<String> ds = dn != null && dn.isArray() ? new ArrayList<>() : null;
        if (ds != null) {
          for (int i = 0; i < dn.size(); i++) {
            ds.add(dn.get(i).isNumber() ? null : r.text(dn.get(i), path + ".subject.division[" + i + "]", 12));
          }
        } else if (dn != null) {
          ds = new ArrayList<>();
          ds.add(dn.isNumber() ? null : r.text(dn, path + ".subject.division", 12));
        }
        for (int i = 0; ds != null && i < ds.size(); i++) {
          String d = ds.get(i);
          if (d == null || !DIVISION_PREFIX.matcher(d).matches()) {
            r.problems().add(path + ".subject.division", "division prefixes must be quoted strings of 1-12 digits (\"4406\")");
          } else {
            divisions.add(d);
          }
        }
        List<String> ls = r.texts(so.get("level"), path + ".subject.level", 16);
        for (int i = 0; ls != null && i < ls.size(); i++) {
          try {
            levels.add(AdministrativeLevel.valueOf(ls.get(i).toUpperCase(Locale.ROOT)));
          } catch (IllegalArgumentException e) {
            r.problems().add(path + ".subject.level[" + i + "]", "'" + ls.get(i) + "' is not one of province, city, district, town, village");
          }
        }
      }
    }
    // action
    Set<Action> actions = EnumSet.noneOf(Action.class);
    List<String> as = r.texts(o.get("action"), path + ".action", 32);
    for (int i = 0; as != null && i < as.size(); i++) {
      if (as.get(i).equals("*")) {
        // a FORBID of "*" forbids writes too; a PERMIT of "*" permits reads only: writing needs a rule that names it
        actions.addAll(EnumSet.allOf(Action.class));
        if (effect != Rule.Effect.FORBID) {
          actions.remove(Action.WRITE);
        }
        continue;
      }
      Action a = Action.fromWireName(as.get(i));
      if (a == null) {
        r.problems().add(path + ".action", "'" + as.get(i) + "' is not one of query, subscribe, export, return-flow, write, *");
      } else {
        actions.add(a);
      }
    }
    // resources
    Set<String> resources = null;
    List<CatalogResource> named = new ArrayList<>();
    JsonNode rn = o.get("resource");
    if (rn != null && !(rn.isTextual() && rn.textValue().equals("*"))) {
      List<String> rs = r.texts(rn, path + ".resource", 128);
      resources = new LinkedHashSet<>();
      for (int i = 0; rs != null && i < rs.size(); i++) {
        CatalogResource res = catalog.resources().get(rs.get(i));
        if (res == null) {
          r.problems().add(path + ".resource", "resource '" + rs.get(i) + "' is not in the catalog");
        } else {
          named.add(res);
          resources.add(res.code());
        }
      }
    }
    // fields
    List<String> fields = null;
    JsonNode fn = o.get("fields");
    if (fn != null && !(fn.isTextual() && fn.textValue().equals("*"))) {
      fields = r.texts(fn, path + ".fields", 1024);
      if (fields != null) {
        if (resources == null) {
          r.problems().add(path + ".fields", "a rule for every resource (\"*\") cannot name fields");
        }
        checkFields(r, fields, named, path + ".fields");
      }
    }
    // conditions
    Set<String> purposes = null;
    Rule.TimeWindow time = null;
    Rule.Rate rate = null;
    boolean grant = false;
    Rule.LevelRelation level = null;
    if (o.has("conditions")) {
      ObjectNode c = r.object(o.get("conditions"), path + ".conditions", List.of(),
          List.of("purpose", "time", "rate", "grant", "level"));
      if (c != null) {
        String cp = path + ".conditions";
        if (c.has("purpose")) {
          List<String> pl = r.texts(c.get("purpose"), cp + ".purpose", 128);
          purposes = new LinkedHashSet<>();
          for (int i = 0; pl != null && i < pl.size(); i++) {
            if (!catalog.purposes().containsKey(pl.get(i))) {
              r.problems().add(cp + ".purpose", "purpose '" + pl.get(i) + "' is not in the catalog's purpose list");
            }
            purposes.add(pl.get(i));
          }
        }
        if (c.has("time")) {
          time = time(r, c.get("time"), cp + ".time");
        }
        if (c.has("rate")) {
          rate = rate(r, c.get("rate"), cp + ".rate");
        }
        if (c.has("grant")) {
          JsonNode g = c.get("grant");
          if (g.isTextual() && g.textValue().equals("required")) {
            grant = true;
          } else {
            r.problems().add(cp + ".grant", "the only grant condition is 'required'");
          }
        }
        if (c.has("level")) {
          String lv = r.text(c.get("level"), cp + ".level", 32);
          if (lv != null) {
            for (Rule.LevelRelation l : Rule.LevelRelation.values()) {
              if (l.wireName().equals(lv)) {
                level = l;
              }
            }
            if (level == null) {
              r.problems().add(cp + ".level", "'" + lv + "' is not one of upper-to-lower, lower-to-upper, same-level");
            }
          }
        }
        if (effect == Rule.Effect.FORBID && (rate != null || grant)) {
          r.problems().add(cp, "rate and grant conditions apply to permit rules only");
        }
      }
    }
    // obligations
    Map<String, MaskSpec> masks = new LinkedHashMap<>();
    AuditLevel audit = null;
    boolean dropUnlisted = false;
    if (o.has("obligations")) {
      String op = path + ".obligations";
      ObjectNode ob = r.object(o.get("obligations"), op, List.of(), List.of("mask", "drop", "audit", "unlisted"));
      if (ob != null) {
        if (effect == Rule.Effect.FORBID) {
          r.problems().add(op, "a forbid rule has no obligations");
        }
        if (resources == null && (ob.has("mask") || ob.has("drop"))) {
          r.problems().add(op, "a rule for every resource (\"*\") cannot mask fields");
        }
        if (ob.has("mask")) {
          JsonNode mo = ob.get("mask");
          if (!mo.isObject()) {
            r.problems().add(op + ".mask", "must be a mapping of field to mask function, got " + Reader.kind(mo));
          } else {
            for (Iterator<Map.Entry<String, JsonNode>> it = mo.fields(); it.hasNext(); ) {
              Map.Entry<String, JsonNode> e = it.next();
              String mp = op + ".mask." + e.getKey();
              checkFields(r, List.of(e.getKey()), named, mp);
              MaskSpec spec = maskSpec(r, e.getValue(), mp);
              if (spec != null) {
                masks.merge(e.getKey(), spec, MaskSpec::stricter);
              }
            }
          }
        }
        if (ob.has("drop")) {
          List<String> dl = r.texts(ob.get("drop"), op + ".drop", 1024);
          if (dl != null) {
            checkFields(r, dl, named, op + ".drop");
            for (String d : dl) {
              masks.put(d, MaskSpec.of(MaskFunction.DROP));
            }
          }
        }
        if (ob.has("unlisted")) {
          String ul = r.text(ob.get("unlisted"), op + ".unlisted", 16);
          if (ul != null && !ul.equals("drop")) {
            r.problems().add(op + ".unlisted", "'" + ul + "' is not 'drop' (members no catalog field names are kept by"
                + " default for general data and always dropped for important and core data)");
          }
          dropUnlisted = "drop".equals(ul);
        }
        if (ob.has("audit")) {
          String al = r.text(ob.get("audit"), op + ".audit", 16);
          audit = al == null ? null : AuditLevel.fromWireName(al);
          if (al != null && audit == null) {
            r.problems().add(op + ".audit", "'" + al + "' is not one of minimal, standard, full");
          }
        }
      }
    }
    if (r.problems().items().size() != before || id == null || effect == null || basis == null) {
      return null;
    }
    return new Rule(id, effect, false, basis, parties, systems, divisions, levels, actions, resources, fields, purposes,
        time, rate, grant, level, masks, audit, dropUnlisted);
  }

  private static void checkFields(Reader r, List<String> fields, List<CatalogResource> named, String path) {
    for (String f : fields) {
      for (CatalogResource res : named) {
        if (res.field(f).isEmpty()) {
          r.problems().add(path, "field '" + f + "' is not a field of resource " + res.code());
        }
      }
    }
  }

  private static @Nullable MaskSpec maskSpec(Reader r, JsonNode n, String path) {
    String fn;
    Map<String, String> params = new LinkedHashMap<>();
    if (n.isTextual()) {
      fn = n.textValue();
    } else if (n.isObject() && n.path("function").isTextual()) {
      fn = n.get("function").textValue();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("function")) {
          continue;
        }
        if (!e.getValue().isValueNode() || e.getValue().isNull()) {
          r.problems().add(path + "." + e.getKey(), "mask parameters are scalars");
          return null;
        }
        params.put(e.getKey(), e.getValue().asText());
      }
    } else {
      r.problems().add(path, "must be a function name or a mapping with 'function' and parameters");
      return null;
    }
    try {
      return MaskSpec.parse(fn, params);
    } catch (IllegalArgumentException e) {
      r.problems().add(path, Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()));
      return null;
    }
  }

  private static Rule.@Nullable TimeWindow time(Reader r, JsonNode n, String path) {
    ObjectNode o = r.object(n, path, List.of("from", "to"), List.of("zone", "days"));
    if (o == null) {
      return null;
    }
    LocalTime from = localTime(r, o.get("from"), path + ".from");
    LocalTime to = localTime(r, o.get("to"), path + ".to");
    ZoneId zone = ZoneId.of("Asia/Shanghai");
    if (o.has("zone")) {
      String z = r.text(o.get("zone"), path + ".zone", 64);
      try {
        zone = z == null ? zone : ZoneId.of(z);
      } catch (RuntimeException e) {
        r.problems().add(path + ".zone", "'" + z + "' is not a time zone id");
      }
    }
    Set<DayOfWeek> days = EnumSet.allOf(DayOfWeek.class);
    if (o.has("days")) {
      days = EnumSet.noneOf(DayOfWeek.class);
      List<String> ds = r.texts(o.get("days"), path + ".days", 3);
      for (int i = 0; ds != null && i < ds.size(); i++) {
        DayOfWeek d = null;
        for (DayOfWeek w : DayOfWeek.values()) {
          if (w.name().substring(0, 3).equalsIgnoreCase(ds.get(i))) {
            d = w;
          }
        }
        if (d == null) {
          r.problems().add(path + ".days", "'" + ds.get(i) + "' is not one of mon, tue, wed, thu, fri, sat, sun");
        } else {
          days.add(d);
        }
      }
    }
    if (from == null || to == null) {
      return null;
    }
    if (!from.isBefore(to)) {
      r.problems().add(path, "from " + from + " must be before to " + to);
      return null;
    }
    return new Rule.TimeWindow(from, to, zone, days);
  }

  private static @Nullable LocalTime localTime(Reader r, @Nullable JsonNode n, String path) {
    String s = r.text(n, path, 8);
    if (s == null) {
      return null;
    }
    try {
      return LocalTime.parse(s.length() == 4 ? "0" + s : s);
    } catch (DateTimeParseException e) {
      r.problems().add(path, "'" + s + "' is not a time of day HH:MM");
      return null;
    }
  }

  private static Rule.@Nullable Rate rate(Reader r, JsonNode n, String path) {
    ObjectNode o = r.object(n, path, List.of("max", "per"), List.of());
    if (o == null) {
      return null;
    }
    JsonNode m = o.get("max");
    long max = -1;
    if (m == null || !m.canConvertToLong() || !m.isIntegralNumber() || m.longValue() < 1) {
      r.problems().add(path + ".max", "must be a positive integer");
    } else {
      max = m.longValue();
    }
    String per = r.text(o.get("per"), path + ".per", 16);
    Duration d = null;
    if (per != null) {
      Matcher mm = DURATION.matcher(per);
      if (!mm.matches() || Long.parseLong(mm.group(1)) == 0) {
        r.problems().add(path + ".per", "'" + per + "' is not a duration such as 1s, 5m, 1h, 30d");
      } else {
        long k = Long.parseLong(mm.group(1));
        d = mm.group(2).equals("s") ? Duration.ofSeconds(k) : mm.group(2).equals("m") ? Duration.ofMinutes(k)
            : mm.group(2).equals("h") ? Duration.ofHours(k) : Duration.ofDays(k);
      }
    }
    return max < 1 || d == null ? null : new Rule.Rate(max, d);
  }
}
