package io.shulian.core.catalog;

import io.shulian.core.internal.access.CoreAccess;
import io.shulian.core.io.BoundedRead;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.envelope.Classification;
import io.shulian.core.internal.yaml.LocatedTree;
import io.shulian.core.internal.yaml.LocatedTree.Problems;
import io.shulian.core.internal.yaml.LocatedTree.Reader;
import io.shulian.core.party.PartyId;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A versioned sharing catalog: the controlled purpose list and the registered resources.
 *
 * <p>Only {@link #parse} makes one, and only from a document without a single problem: every
 * key is known, every value has the right type, codes and field names are unique, purposes come
 * from the purpose list, a not-shared resource states its legal basis. Immutable and thread-safe.
 */
public final class Catalog {
  /** Resource and purpose codes: lower-case letters, digits, '.', '-', '_'; 1 to 128 characters. */
  static final Pattern CODE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,127}");
  /** Field paths: identifiers joined by '.', each optionally followed by [] (every array element). */
  public static final Pattern FIELD_PATH =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_-]{0,63}(\\[\\])?(\\.[A-Za-z_][A-Za-z0-9_-]{0,63}(\\[\\])?){0,15}");
  static final List<String> FIELD_TYPES = List.of("string", "integer", "number", "boolean", "date", "datetime",
      "division");
  static final List<String> UPDATE_CYCLES =
      List.of("real-time", "hourly", "daily", "weekly", "monthly", "quarterly", "yearly", "irregular");
  static final List<String> OPEN_ATTRIBUTES = List.of("open", "conditional-open", "not-open");
  static final List<String> DELIVERIES = List.of("response", "dataset");
  static final List<String> DATASET_FORMATS = List.of("jsonl", "csv");

  /** The largest catalog or policy document read from a file, in bytes. */
  public static final long MAX_DOCUMENT_BYTES = LocatedTree.MAX_BYTES;

  private final String version;
  private final Map<String, Purpose> purposes;
  private final Map<String, CatalogResource> resources;
  private final JsonNode tree;
  private final String contentHash;

  static {
    CoreAccess.setCatalogs(c -> c.tree);
  }

  private Catalog(String version, Map<String, Purpose> purposes, Map<String, CatalogResource> resources, JsonNode tree) {
    this.version = version;
    this.purposes = java.util.Collections.unmodifiableMap(purposes);
    this.resources = java.util.Collections.unmodifiableMap(resources);
    this.tree = tree;
    this.contentHash = LocatedTree.sha256(LocatedTree.canonicalJson(tree));
  }

  /** Reads and checks a catalog file. */
  public static Catalog load(Path file) throws InvalidDocumentException, IOException {
    return parse(file.toString(), BoundedRead.file(file, LocatedTree.MAX_BYTES));
  }

  /**
   * Parses and checks a catalog document (YAML or JSON).
   *
   * @param source the name used in problem locations, usually the file name
   * @throws InvalidDocumentException listing every problem with its location
   */
  public static Catalog parse(String source, byte[] yaml) throws InvalidDocumentException {
    LocatedTree t;
    try {
      t = LocatedTree.parse(source, yaml);
    } catch (LocatedTree.SyntaxException e) {
      throw new InvalidDocumentException("catalog " + source, List.of(new Problem(e.location(), "", e.detail())));
    }
    Problems problems = new Problems(t);
    Catalog c = check(t, new Reader(problems));
    if (!problems.isEmpty() || c == null) {
      throw new InvalidDocumentException("catalog " + source, toProblems(problems));
    }
    return c;
  }

  static List<Problem> toProblems(Problems problems) {
    List<Problem> out = new ArrayList<>();
    for (String[] p : problems.items()) {
      out.add(new Problem(p[0], p[1], p[2]));
    }
    return out;
  }

  private static @Nullable Catalog check(LocatedTree t, Reader r) {
    ObjectNode root = r.object(t.root(), "", List.of("version", "purposes", "resources"), List.of("description"));
    if (root == null) {
      return null;
    }
    String version = r.text(root.get("version"), "version", 64);
    r.text(root.get("description"), "description", 4000);
    Map<String, Purpose> purposes = new LinkedHashMap<>();
    JsonNode ps = root.has("purposes") ? r.array(root.get("purposes"), "purposes") : null;
    if (ps != null) {
      for (int i = 0; i < ps.size(); i++) {
        String path = "purposes[" + i + "]";
        ObjectNode p = r.object(ps.get(i), path, List.of("code", "name"), List.of("description"));
        if (p == null) {
          continue;
        }
        String code = code(r, p.get("code"), path + ".code");
        String name = r.text(p.get("name"), path + ".name", 200);
        r.text(p.get("description"), path + ".description", 4000);
        if (code != null && purposes.containsKey(code)) {
          r.problems().add(path + ".code", "duplicate purpose code '" + code + "'");
        } else if (code != null && name != null) {
          purposes.put(code, new Purpose(code, name));
        }
      }
    }
    Map<String, CatalogResource> resources = new LinkedHashMap<>();
    JsonNode rs = root.has("resources") ? r.array(root.get("resources"), "resources") : null;
    if (rs != null) {
      for (int i = 0; i < rs.size(); i++) {
        String path = "resources[" + i + "]";
        CatalogResource res = resource(r, rs.get(i), path, purposes.keySet());
        if (res == null) {
          continue;
        }
        if (resources.containsKey(res.code())) {
          r.problems().add(path + ".code", "duplicate resource code '" + res.code() + "'");
        } else {
          resources.put(res.code(), res);
        }
      }
    }
    if (version == null || !r.problems().isEmpty()) {
      return null;
    }
    return new Catalog(version, purposes, resources, t.root());
  }

  private static @Nullable String code(Reader r, @Nullable JsonNode n, String path) {
    String s = r.text(n, path, 128);
    if (s != null && !CODE.matcher(s).matches()) {
      r.problems().add(path, "'" + s + "' is not a valid code (lower-case letters, digits, '.', '-', '_')");
      return null;
    }
    return s;
  }

  private static @Nullable String oneOf(Reader r, @Nullable JsonNode n, String path, List<String> allowed) {
    String s = r.text(n, path, 64);
    if (s != null && !allowed.contains(s)) {
      r.problems().add(path, "'" + s + "' is not one of " + String.join(", ", allowed));
      return null;
    }
    return s;
  }

  private static @Nullable CatalogResource resource(Reader r, JsonNode n, String path, Set<String> purposeList) {
    ObjectNode o = r.object(n, path,
        List.of("code", "name", "provider", "sharing", "purposes", "fields"),
        List.of("description", "updateCycle", "open", "endpoints", "delivery", "format"));
    if (o == null) {
      return null;
    }
    int before = r.problems().items().size();
    String code = code(r, o.get("code"), path + ".code");
    String name = r.text(o.get("name"), path + ".name", 200);
    String description = r.text(o.get("description"), path + ".description", 4000);
    PartyId provider = null;
    String prov = r.text(o.get("provider"), path + ".provider", 120);
    if (prov != null) {
      try {
        provider = PartyId.parse(prov);
      } catch (IllegalArgumentException e) {
        r.problems().add(path + ".provider", "not a party id: " + e.getMessage());
      }
    }
    String updateCycle = o.has("updateCycle") ? oneOf(r, o.get("updateCycle"), path + ".updateCycle", UPDATE_CYCLES) : "irregular";
    String open = o.has("open") ? oneOf(r, o.get("open"), path + ".open", OPEN_ATTRIBUTES) : "not-open";
    String delivery = o.has("delivery") ? oneOf(r, o.get("delivery"), path + ".delivery", DELIVERIES) : "response";
    DatasetFormat dataset = null;
    if (o.has("format")) {
      String f = oneOf(r, o.get("format"), path + ".format", DATASET_FORMATS);
      dataset = f == null ? null : DatasetFormat.fromWireName(f);
      if (f != null && !"dataset".equals(delivery)) {
        r.problems().add(path + ".format", "a format is declared only for \"delivery\": \"dataset\"");
      }
    } else if ("dataset".equals(delivery)) {
      r.problems().add(path, "a data set must declare its \"format\" (one of " + String.join(", ", DATASET_FORMATS) + ")");
    }

    SharingType type = null;
    String conditions = null;
    String legalBasis = null;
    ObjectNode sh = o.has("sharing") ? r.object(o.get("sharing"), path + ".sharing", List.of("type"), List.of("conditions", "legalBasis")) : null;
    if (sh != null) {
      String ts = r.text(sh.get("type"), path + ".sharing.type", 32);
      if (ts != null) {
        type = SharingType.fromWireName(ts);
        if (type == null) {
          r.problems().add(path + ".sharing.type", "'" + ts + "' is not one of unconditional, conditional, not-shared");
        }
      }
      conditions = r.text(sh.get("conditions"), path + ".sharing.conditions", 4000);
      legalBasis = r.text(sh.get("legalBasis"), path + ".sharing.legalBasis", 4000);
      if (type == SharingType.NOT_SHARED && legalBasis == null) {
        r.problems().add(path + ".sharing", "a not-shared resource must state its legalBasis");
      }
      if (type == SharingType.CONDITIONAL && conditions == null) {
        r.problems().add(path + ".sharing", "a conditional resource must state its conditions");
      }
    }
    Set<String> purposes = new LinkedHashSet<>();
    List<String> pl = o.has("purposes") ? r.texts(o.get("purposes"), path + ".purposes", 128) : null;
    if (pl != null) {
      for (int i = 0; i < pl.size(); i++) {
        if (!purposeList.contains(pl.get(i))) {
          r.problems().add(path + ".purposes[" + i + "]", "purpose '" + pl.get(i) + "' is not in the catalog's purpose list");
        }
        purposes.add(pl.get(i));
      }
      if (pl.isEmpty() && type != SharingType.NOT_SHARED) {
        r.problems().add(path + ".purposes", "a shared resource must allow at least one purpose");
      }
    }
    List<CatalogField> fields = new ArrayList<>();
    JsonNode fs = o.has("fields") ? r.array(o.get("fields"), path + ".fields") : null;
    if (fs != null) {
      Set<String> names = new HashSet<>();
      if (fs.isEmpty()) {
        r.problems().add(path + ".fields", "a resource must have at least one field");
      }
      for (int i = 0; i < fs.size(); i++) {
        String fp = path + ".fields[" + i + "]";
        ObjectNode f = r.object(fs.get(i), fp, List.of("name", "type", "classification"), List.of("personalInfo", "description"));
        if (f == null) {
          continue;
        }
        String fname = r.text(f.get("name"), fp + ".name", 1024);
        if (fname != null && !FIELD_PATH.matcher(fname).matches()) {
          r.problems().add(fp + ".name", "'" + fname + "' is not a field path (e.g. applicant.idNumber, members[].phone)");
          fname = null;
        }
        if (fname != null && !names.add(fname)) {
          r.problems().add(fp + ".name", "duplicate field '" + fname + "'");
        }
        String ftype = oneOf(r, f.get("type"), fp + ".type", FIELD_TYPES);
        Classification cls = null;
        String cs = r.text(f.get("classification"), fp + ".classification", 32);
        if (cs != null) {
          try {
            cls = Classification.fromWireName(cs);
          } catch (IllegalArgumentException e) {
            r.problems().add(fp + ".classification", "'" + cs + "' is not one of general, important, core");
          }
        }
        PersonalInfo pi = PersonalInfo.NONE;
        if (f.has("personalInfo")) {
          String pis = r.text(f.get("personalInfo"), fp + ".personalInfo", 32);
          pi = pis == null ? null : PersonalInfo.fromWireName(pis);
          if (pis != null && pi == null) {
            r.problems().add(fp + ".personalInfo", "'" + pis + "' is not one of id-number, phone, name, address, bank-card, none");
          }
        }
        r.text(f.get("description"), fp + ".description", 4000);
        if (fname != null && ftype != null && cls != null && pi != null) {
          fields.add(new CatalogField(fname, ftype, cls, pi));
        }
      }
      checkPrefixes(r, fields, path + ".fields");
    }
    List<Endpoint> endpoints = new ArrayList<>();
    JsonNode es = o.has("endpoints") ? r.array(o.get("endpoints"), path + ".endpoints") : null;
    if (es != null) {
      Set<String> shapes = new HashSet<>();
      for (int i = 0; i < es.size(); i++) {
        String ep = path + ".endpoints[" + i + "]";
        ObjectNode e = r.object(es.get(i), ep, List.of("method", "path"), List.of("action"));
        if (e == null) {
          continue;
        }
        String m = oneOf(r, e.get("method"), ep + ".method", Endpoint.METHODS);
        String pt = r.text(e.get("path"), ep + ".path", 256);
        String action = e.has("action") ? r.text(e.get("action"), ep + ".action", 32) : null;
        if (m == null || pt == null || (e.has("action") && action == null)) {
          continue;
        }
        try {
          Endpoint.checkTemplate(pt);
        } catch (IllegalArgumentException ex) {
          r.problems().add(ep + ".path", Objects.requireNonNullElse(ex.getMessage(), ex.getClass().getSimpleName()));
          continue;
        }
        try {
          Endpoint.checkAction(m, action);
        } catch (IllegalArgumentException ex) {
          r.problems().add(ep + ".action", Objects.requireNonNullElse(ex.getMessage(), ex.getClass().getSimpleName()));
          continue;
        }
        Endpoint endpoint = new Endpoint(m, pt, action);
        if (!shapes.add(endpoint.shape())) {
          r.problems().add(ep, "duplicate endpoint " + endpoint.shape() + " (variable names do not make templates differ)");
          continue;
        }
        endpoints.add(endpoint);
      }
    }
    if (r.problems().items().size() != before || code == null || name == null || provider == null || type == null
        || updateCycle == null || open == null) {
      return null;
    }
    return new CatalogResource(code, name, provider, description == null ? "" : description, fields, type,
        conditions, legalBasis, purposes, updateCycle, open, endpoints, "dataset".equals(delivery) ? dataset : null);
  }

  /** A field path may not be a prefix of another: masking one would mask or drop the other's parent. */
  private static void checkPrefixes(Reader r, List<CatalogField> fields, String path) {
    for (CatalogField a : fields) {
      for (CatalogField b : fields) {
        String an = a.name().replace("[]", "");
        String bn = b.name().replace("[]", "");
        if (a != b && bn.startsWith(an + ".")) {
          r.problems().add(path, "field '" + a.name() + "' is a parent of field '" + b.name() + "'; list leaf fields only");
        }
      }
    }
  }

  /**
   * Returns this catalog with the resource in {@code resourceDocument} (one resource, YAML or JSON,
   * as under {@code resources}) added, or replacing the resource with the same code; checked with
   * the same rules as {@link #parse} (its purposes must be in this catalog's purpose list).
   *
   * @param source the name used in problem locations
   * @throws InvalidDocumentException listing every problem, located in the resource document
   */
  public Catalog withResource(String source, byte[] resourceDocument) throws InvalidDocumentException {
    LocatedTree doc;
    try {
      doc = LocatedTree.parse(source, resourceDocument);
    } catch (LocatedTree.SyntaxException e) {
      throw new InvalidDocumentException("resource " + source, List.of(new Problem(e.location(), "", e.detail())));
    }
    Problems problems = new Problems(doc, "resource");
    CatalogResource res = resource(new Reader(problems), doc.root(), "resource", purposes.keySet());
    if (res == null || !problems.isEmpty()) {
      throw new InvalidDocumentException("resource " + source, toProblems(problems));
    }
    ObjectNode merged = tree.deepCopy();
    com.fasterxml.jackson.databind.node.ArrayNode list = resourceList(merged);
    int at = indexOf(list, res.code());
    if (at < 0) {
      list.add(doc.root().deepCopy());
    } else {
      list.set(at, doc.root().deepCopy());
    }
    return reparse(merged);
  }

  /**
   * Returns this catalog without resource {@code code}.
   *
   * @throws IllegalArgumentException if it has no such resource
   */
  public Catalog withoutResource(String code) {
    ObjectNode copy = tree.deepCopy();
    com.fasterxml.jackson.databind.node.ArrayNode list = resourceList(copy);
    int at = indexOf(list, code);
    if (at < 0) {
      throw new IllegalArgumentException("the catalog has no resource '" + code + "'");
    }
    list.remove(at);
    try {
      return reparse(copy);
    } catch (InvalidDocumentException e) {
      throw new IllegalStateException("a catalog without one resource is still valid", e);
    }
  }

  /**
   * Returns this catalog with another {@code version} string.
   *
   * @throws IllegalArgumentException if the version is blank or longer than 64 characters
   */
  public Catalog withVersion(String newVersion) {
    if (newVersion.isBlank() || newVersion.length() > 64) {
      throw new IllegalArgumentException("a catalog version is 1 to 64 characters");
    }
    ObjectNode copy = tree.deepCopy();
    copy.put("version", newVersion);
    try {
      return reparse(copy);
    } catch (InvalidDocumentException e) {
      throw new IllegalArgumentException("version '" + newVersion + "' is not valid", e);
    }
  }

  /** Returns the catalog document as RFC 8785 canonical JSON (what a city bundle's {@code catalog} extension holds). */
  public String toJson() {
    return new String(LocatedTree.canonicalJson(tree), java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * Returns "sha256:" and the hex SHA-256 of resource {@code code}'s canonical JSON form, or empty if
   * there is no such resource: equal exactly when the resource's document is unchanged.
   */
  public Optional<String> resourceHash(String code) {
    com.fasterxml.jackson.databind.node.ArrayNode list = resourceList(tree.deepCopy());
    int at = indexOf(list, code);
    return at < 0 ? Optional.empty() : Optional.of(LocatedTree.sha256(LocatedTree.canonicalJson(list.get(at))));
  }

  private static com.fasterxml.jackson.databind.node.ArrayNode resourceList(JsonNode root) {
    ObjectNode o = (ObjectNode) root;
    JsonNode rs = o.get("resources");
    return rs instanceof com.fasterxml.jackson.databind.node.ArrayNode
        ? (com.fasterxml.jackson.databind.node.ArrayNode) rs : o.putArray("resources");
  }

  private static int indexOf(com.fasterxml.jackson.databind.node.ArrayNode list, String code) {
    for (int i = 0; i < list.size(); i++) {
      if (code.equals(list.get(i).path("code").asText(null))) {
        return i;
      }
    }
    return -1;
  }

  private static Catalog reparse(JsonNode root) throws InvalidDocumentException {
    return parse("catalog", LocatedTree.canonicalJson(root));
  }

  public String version() {
    return version;
  }

  /** Returns the purpose list by code, in document order. */
  public Map<String, Purpose> purposes() {
    return purposes;
  }

  /** Returns the resources by code, in document order. */
  public Map<String, CatalogResource> resources() {
    return resources;
  }

  public Optional<CatalogResource> resource(String code) {
    return Optional.ofNullable(resources.get(code));
  }

  public Collection<CatalogResource> all() {
    return resources.values();
  }

  /** Returns "sha256:" and the hex SHA-256 of the catalog's RFC 8785 (JCS) canonical JSON form. */
  public String contentHash() {
    return contentHash;
  }

  @Override
  public String toString() {
    return "Catalog[" + version + ", " + resources.size() + " resources, " + contentHash + "]";
  }
}
