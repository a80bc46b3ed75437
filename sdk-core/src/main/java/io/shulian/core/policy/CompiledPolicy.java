package io.shulian.core.policy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.shulian.core.catalog.CatalogField;
import io.shulian.core.catalog.CatalogResource;
import io.shulian.core.envelope.Classification;
import io.shulian.core.party.AdministrativeLevel;
import io.shulian.core.policy.mask.MaskSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A policy set compiled for fast decisions: per resource and action, arrays of the FORBID and
 * PERMIT rules that can apply, with field selectors and masks resolved to field indexes. It owns
 * its decision cache, so replacing the compiled policy replaces the cache in the same atomic step.
 * Immutable apart from the cache.
 */
final class CompiledPolicy {
  final PolicySet set;
  final String version;
  final Map<String, ResourceIndex> byResource;
  final @Nullable Cache<PolicyRequest, PolicyEngine.Evaluation> cache;

  CompiledPolicy(PolicySet set, long cacheSize) {
    this.set = set;
    this.version = set.versionHash();
    this.cache = cacheSize > 0 ? Caffeine.newBuilder().maximumSize(cacheSize).executor(Runnable::run).build() : null;
    Map<String, List<Rule>> rulesByResource = new HashMap<>();
    List<Rule> everywhere = new ArrayList<>();
    List<Rule> all = new ArrayList<>(set.derivedRules());
    all.addAll(set.explicitRules());
    for (Rule r : all) {
      if (r.resources == null) {
        everywhere.add(r);
      } else {
        for (String code : r.resources) {
          rulesByResource.computeIfAbsent(code, k -> new ArrayList<>()).add(r);
        }
      }
    }
    Map<String, ResourceIndex> idx = new HashMap<>();
    for (CatalogResource res : set.catalog().all()) {
      List<Rule> rs = new ArrayList<>(rulesByResource.getOrDefault(res.code(), List.of()));
      rs.addAll(everywhere);
      idx.put(res.code(), new ResourceIndex(res, rs));
    }
    this.byResource = idx;
  }

  /** The rules of one resource, by action, with resolved fields. */
  static final class ResourceIndex {
    final CatalogResource resource;
    final AdministrativeLevel providerLevel;
    final String[] fieldNames;
    final Map<String, Integer> fieldIndex;
    final boolean[] core;
    /** The mask each field's personal-information category implies, applied to every PERMIT. */
    final MaskSpec[] piMasks;
    final long[] allNonCore;
    final int words;
    final CompiledRule[][] forbids;
    final CompiledRule[][] permits;
    final boolean[] dynamic;
    /** Every field path in catalog order: the shape a response must have. */
    final List<String> fieldList;
    /** True if a field is important or core: members no field names are dropped from responses. */
    final boolean dropUnlisted;
    /** Fields of type {@code division} outside arrays: they bind return-flow records to the requester's division. */
    final List<String> divisionFields;

    ResourceIndex(CatalogResource res, List<Rule> rules) {
      this.resource = res;
      this.providerLevel = res.provider().level();
      int n = res.fields().size();
      this.fieldNames = new String[n];
      this.fieldIndex = new HashMap<>(n * 2);
      this.core = new boolean[n];
      this.piMasks = new MaskSpec[n];
      this.words = (n + 63) >>> 6;
      this.allNonCore = new long[words];
      boolean sensitive = false;
      List<String> divisions = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        CatalogField f = res.fields().get(i);
        fieldNames[i] = f.name();
        fieldIndex.put(f.name(), i);
        core[i] = f.classification() == Classification.CORE;
        piMasks[i] = PolicySet.defaultMask(f.personalInfo());
        sensitive |= f.classification() != Classification.GENERAL;
        if (f.type().equals("division") && !f.name().contains("[]")) {
          divisions.add(f.name());
        }
        if (!core[i]) {
          allNonCore[i >>> 6] |= 1L << i;
        }
      }
      this.fieldList = List.of(fieldNames);
      this.dropUnlisted = sensitive;
      this.divisionFields = List.copyOf(divisions);
      int na = Action.values().length;
      this.forbids = new CompiledRule[na][];
      this.permits = new CompiledRule[na][];
      this.dynamic = new boolean[na];
      for (Action a : Action.values()) {
        List<CompiledRule> f = new ArrayList<>();
        List<CompiledRule> p = new ArrayList<>();
        for (Rule r : rules) {
          if (!r.actions.contains(a)) {
            continue;
          }
          CompiledRule cr = new CompiledRule(r, this);
          (r.effect == Rule.Effect.FORBID ? f : p).add(cr);
          dynamic[a.ordinal()] |= r.dynamic();
        }
        forbids[a.ordinal()] = f.toArray(new CompiledRule[0]);
        permits[a.ordinal()] = p.toArray(new CompiledRule[0]);
      }
    }

    /** Returns the bit set of the named fields; unknown names are skipped. */
    long[] bits(Iterable<String> names) {
      long[] b = new long[words];
      for (String s : names) {
        Integer i = fieldIndex.get(s);
        if (i != null) {
          b[i >>> 6] |= 1L << i;
        }
      }
      return b;
    }
  }

  /** A rule bound to one resource. */
  static final class CompiledRule {
    final Rule rule;
    /** The fields the rule covers: named ones, or for "*" every non-core field. */
    final long[] bits;
    /** The fields the rule covers when it is "*" for every field, core included (FORBID only). */
    final boolean allFields;
    /** Masks by field index, or null if the rule has none. */
    final MaskSpec @Nullable [] masks;

    CompiledRule(Rule r, ResourceIndex ri) {
      this.rule = r;
      this.allFields = r.fields == null;
      this.bits = r.fields == null ? ri.allNonCore : ri.bits(r.fields);
      MaskSpec[] m = null;
      for (Map.Entry<String, MaskSpec> e : r.masks.entrySet()) {
        Integer i = ri.fieldIndex.get(e.getKey());
        if (i != null) {
          if (m == null) {
            m = new MaskSpec[ri.fieldNames.length];
          }
          m[i] = MaskSpec.stricter(m[i], e.getValue());
        }
      }
      this.masks = m;
    }
  }
}
