package io.shulian.core.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What changed between two catalog versions: resources added, removed or changed, and for a
 * changed resource which attributes and fields changed. Providers read it before a new catalog
 * takes effect.
 */
public final class CatalogDiff {
  /** One change. {@code field} is empty for a change of the resource itself. */
  public record Change(Kind kind, String resource, String field, String detail) {
    @Override
    public String toString() {
      String what = field.isEmpty() ? "resource " + resource : "field " + resource + " / " + field;
      return kind.symbol + " " + what + (detail.isEmpty() ? "" : ": " + detail);
    }
  }

  /** Kinds of change. */
  public enum Kind {
    ADDED("+"),
    REMOVED("-"),
    CHANGED("~");

    final String symbol;

    Kind(String symbol) {
      this.symbol = symbol;
    }
  }

  private final List<Change> changes;

  private CatalogDiff(List<Change> changes) {
    this.changes = List.copyOf(changes);
  }

  /** Compares {@code older} with {@code newer}. */
  public static CatalogDiff between(Catalog older, Catalog newer) {
    List<Change> out = new ArrayList<>();
    for (Map.Entry<String, Purpose> e : older.purposes().entrySet()) {
      if (!newer.purposes().containsKey(e.getKey())) {
        out.add(new Change(Kind.REMOVED, "(purpose list)", "", "purpose " + e.getKey()));
      }
    }
    for (Map.Entry<String, Purpose> e : newer.purposes().entrySet()) {
      if (!older.purposes().containsKey(e.getKey())) {
        out.add(new Change(Kind.ADDED, "(purpose list)", "", "purpose " + e.getKey()));
      }
    }
    for (CatalogResource o : older.all()) {
      CatalogResource n = newer.resources().get(o.code());
      if (n == null) {
        out.add(new Change(Kind.REMOVED, o.code(), "", o.name()));
        continue;
      }
      attr(out, o.code(), "name", o.name(), n.name());
      attr(out, o.code(), "provider", o.provider().toString(), n.provider().toString());
      attr(out, o.code(), "description", o.description(), n.description());
      attr(out, o.code(), "sharing type", o.sharingType().wireName(), n.sharingType().wireName());
      attr(out, o.code(), "sharing conditions", o.conditions(), n.conditions());
      attr(out, o.code(), "legal basis", o.legalBasis(), n.legalBasis());
      attr(out, o.code(), "purposes", new java.util.TreeSet<>(o.purposes()).toString(), new java.util.TreeSet<>(n.purposes()).toString());
      attr(out, o.code(), "update cycle", o.updateCycle(), n.updateCycle());
      attr(out, o.code(), "open attribute", o.openAttribute(), n.openAttribute());
      attr(out, o.code(), "endpoints", o.endpoints().toString(), n.endpoints().toString());
      attr(out, o.code(), "delivery", delivery(o), delivery(n));
      for (CatalogField of : o.fields()) {
        CatalogField nf = n.field(of.name()).orElse(null);
        if (nf == null) {
          out.add(new Change(Kind.REMOVED, o.code(), of.name(), ""));
        } else if (!of.equals(nf)) {
          out.add(new Change(Kind.CHANGED, o.code(), of.name(), describe(of) + " -> " + describe(nf)));
        }
      }
      for (CatalogField nf : n.fields()) {
        if (o.field(nf.name()).isEmpty()) {
          out.add(new Change(Kind.ADDED, o.code(), nf.name(), describe(nf)));
        }
      }
    }
    for (CatalogResource n : newer.all()) {
      if (!older.resources().containsKey(n.code())) {
        out.add(new Change(Kind.ADDED, n.code(), "", n.name() + " (" + n.sharingType().wireName() + ", "
            + n.fields().size() + " fields)"));
      }
    }
    return new CatalogDiff(out);
  }

  private static String describe(CatalogField f) {
    return f.type() + ", " + f.classification().wireName() + ", personal info " + f.personalInfo().wireName();
  }

  private static void attr(List<Change> out, String code, String what, @org.jspecify.annotations.Nullable String a,
      @org.jspecify.annotations.Nullable String b) {
    if (!Objects.equals(a, b)) {
      out.add(new Change(Kind.CHANGED, code, "", what + ": " + a + " -> " + b));
    }
  }

  public List<Change> changes() {
    return changes;
  }

  public boolean isEmpty() {
    return changes.isEmpty();
  }

  private static String delivery(CatalogResource r) {
    DatasetFormat f = r.dataset();
    return f == null ? "response" : "dataset " + f.wireName();
  }
}
