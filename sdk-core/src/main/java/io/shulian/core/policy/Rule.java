package io.shulian.core.policy;

import io.shulian.core.party.AdministrativeLevel;
import io.shulian.core.party.PartyId;
import io.shulian.core.policy.mask.MaskSpec;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One policy rule, explicit (from the policy file) or derived from the catalog. Immutable; the
 * engine compiles rules into a per-resource index, so nothing here is parsed at decision time.
 */
public final class Rule {
  /** PERMIT or FORBID. */
  public enum Effect {
    PERMIT,
    FORBID
  }

  /** Relation between the requester's and the provider's level and division. */
  public enum LevelRelation {
    /** The provider is above the requester and the requester lies within the provider's division: return flow (回流). */
    UPPER_TO_LOWER,
    /** The requester is above the provider and the provider lies within the requester's division. */
    LOWER_TO_UPPER,
    /** Both at one level. */
    SAME_LEVEL;

    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    boolean holds(PartyId provider, PartyId requester) {
      switch (this) {
        case UPPER_TO_LOWER:
          return provider.level().isAbove(requester.level())
              && Divisions.within(requester.divisionCode(), provider.divisionCode());
        case LOWER_TO_UPPER:
          return requester.level().isAbove(provider.level())
              && Divisions.within(provider.divisionCode(), requester.divisionCode());
        default:
          return provider.level() == requester.level();
      }
    }
  }

  /** A daily time window in a zone, on some days of the week. */
  record TimeWindow(LocalTime from, LocalTime to, ZoneId zone, Set<DayOfWeek> days) {}

  /** At most {@code max} permitted requests per consumer per {@code per}. */
  record Rate(long max, Duration per) {}

  final String id;
  final Effect effect;
  final boolean derived;
  final String basis;
  // subject; empty sets mean "any"
  final Set<PartyId> parties;
  final Set<String> systems;
  final List<String> divisionPrefixes;
  final Set<AdministrativeLevel> levels;
  final Set<Action> actions;
  /** null: every resource. */
  final @Nullable Set<String> resources;
  /** null: every field ("*"), which never includes core fields. */
  final @Nullable List<String> fields;
  // conditions
  final @Nullable Set<String> purposes;
  final @Nullable TimeWindow time;
  final @Nullable Rate rate;
  final boolean grantRequired;
  final @Nullable LevelRelation levelRelation;
  // obligations
  final Map<String, MaskSpec> masks;
  final @Nullable AuditLevel audit;
  /** Obligation {@code unlisted: drop}: members of the response that no catalog field names are dropped. */
  final boolean dropUnlisted;

  Rule(String id, Effect effect, boolean derived, String basis, Set<PartyId> parties, Set<String> systems,
      List<String> divisionPrefixes, Set<AdministrativeLevel> levels, Set<Action> actions,
      @Nullable Set<String> resources, @Nullable List<String> fields, @Nullable Set<String> purposes,
      @Nullable TimeWindow time, @Nullable Rate rate, boolean grantRequired, @Nullable LevelRelation levelRelation,
      Map<String, MaskSpec> masks, @Nullable AuditLevel audit, boolean dropUnlisted) {
    this.id = id;
    this.effect = effect;
    this.derived = derived;
    this.basis = basis;
    this.parties = Set.copyOf(parties);
    this.systems = Set.copyOf(systems);
    this.divisionPrefixes = List.copyOf(divisionPrefixes);
    this.levels = levels.isEmpty() ? Set.of() : EnumSet.copyOf(levels);
    this.actions = actions.isEmpty() ? EnumSet.noneOf(Action.class) : EnumSet.copyOf(actions);
    this.resources = resources == null ? null : Set.copyOf(resources);
    this.fields = fields == null ? null : List.copyOf(fields);
    this.purposes = purposes == null ? null : Set.copyOf(purposes);
    this.time = time;
    this.rate = rate;
    this.grantRequired = grantRequired;
    this.levelRelation = levelRelation;
    this.masks = Map.copyOf(masks);
    this.audit = audit;
    this.dropUnlisted = dropUnlisted;
  }

  public String id() {
    return id;
  }

  public Effect effect() {
    return effect;
  }

  /** Returns true for a rule the catalog's sharing type implies. */
  public boolean derived() {
    return derived;
  }

  /** Returns the basis text (legal basis, approval reference). */
  public String basis() {
    return basis;
  }

  /** Returns true if the rule's outcome depends on the clock or on counters, so it is not cached. */
  boolean dynamic() {
    return time != null || rate != null;
  }

  boolean subjectMatches(PartyId s) {
    if (!parties.isEmpty() && !parties.contains(s) && !parties.contains(s.organisation())) {
      return false;
    }
    if (!systems.isEmpty() && !systems.contains(s.systemCode().orElse(""))) {
      return false;
    }
    if (!divisionPrefixes.isEmpty()) {
      String d = s.divisionCode();
      boolean any = false;
      for (int i = 0; i < divisionPrefixes.size(); i++) {
        if (d.startsWith(divisionPrefixes.get(i))) {
          any = true;
          break;
        }
      }
      if (!any) {
        return false;
      }
    }
    return levels.isEmpty() || levels.contains(s.level());
  }

  @Override
  public String toString() {
    return "Rule[" + id + " " + effect + (derived ? " derived" : "") + "]";
  }
}
