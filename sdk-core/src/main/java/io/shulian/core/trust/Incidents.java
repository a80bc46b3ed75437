package io.shulian.core.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.party.PartyId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The city data bureau's incident actions in force (应急处置), carried in the city bundle's
 * {@value CityBundle#INCIDENTS} extension: suspended parties (their requests as consumer and their
 * envelopes as sender are refused by every gateway) and frozen resources (no gateway routes or
 * serves them). Each entry keeps the bureau's reason. JSON: {@code {"suspendedParties":
 * {"<party id>": "<reason>"}, "frozenResources": {"<resource id>": "<reason>"}}}. A bundle without
 * the extension has none in force. Immutable; the {@code with…}/{@code without…} methods return
 * a changed copy.
 */
public final class Incidents {
  /** Most entries of each kind one bundle may list. */
  public static final int MAX_ENTRIES = 10_000;
  private static final Pattern RESOURCE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Set<String> FIELDS = Set.of("suspendedParties", "frozenResources");
  private static final Incidents NONE = new Incidents(Map.of(), Map.of());

  private final Map<PartyId, String> suspended;
  private final Map<String, String> frozen;

  private Incidents(Map<PartyId, String> suspended, Map<String, String> frozen) {
    this.suspended = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(suspended));
    this.frozen = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(frozen));
  }

  /** No action in force. */
  public static Incidents none() {
    return NONE;
  }

  /** The suspended parties and the reason of each, in the order they were suspended. */
  public Map<PartyId, String> suspendedParties() {
    return suspended;
  }

  /** The frozen resources (catalog resource ids) and the reason of each. */
  public Map<String, String> frozenResources() {
    return frozen;
  }

  public boolean isSuspended(PartyId party) {
    return suspended.containsKey(party);
  }

  public boolean isFrozen(String resource) {
    return frozen.containsKey(resource);
  }

  public boolean isEmpty() {
    return suspended.isEmpty() && frozen.isEmpty();
  }

  /** Returns the reason the party is suspended, if it is. */
  public Optional<String> suspension(PartyId party) {
    return Optional.ofNullable(suspended.get(party));
  }

  /**
   * Returns a copy with {@code party} suspended for {@code reason}.
   *
   * @throws IllegalArgumentException if the reason is empty, longer than 200 characters or has
   *     control characters, or the list would exceed {@link #MAX_ENTRIES}
   */
  public Incidents withSuspended(PartyId party, String reason) {
    Map<PartyId, String> m = new LinkedHashMap<>(suspended);
    m.put(Objects.requireNonNull(party, "party"), checkReason(reason));
    checkSize(m.size());
    return new Incidents(m, frozen);
  }

  /** Returns a copy without the suspension of {@code party} (the same if it is not suspended). */
  public Incidents withoutSuspended(PartyId party) {
    Map<PartyId, String> m = new LinkedHashMap<>(suspended);
    m.remove(party);
    return new Incidents(m, frozen);
  }

  /**
   * Returns a copy with {@code resource} frozen for {@code reason}.
   *
   * @throws IllegalArgumentException if the resource id is not 1-128 of {@code A-Za-z0-9._-}
   *     (starting with a letter or digit), or the reason or size is refused as by {@link #withSuspended}
   */
  public Incidents withFrozen(String resource, String reason) {
    Map<String, String> m = new LinkedHashMap<>(frozen);
    m.put(checkResource(resource), checkReason(reason));
    checkSize(m.size());
    return new Incidents(suspended, m);
  }

  /** Returns a copy without the freeze of {@code resource}. */
  public Incidents withoutFrozen(String resource) {
    Map<String, String> m = new LinkedHashMap<>(frozen);
    m.remove(resource);
    return new Incidents(suspended, m);
  }

  /** Checks a resource id as the {@code frozenResources} keys must be. */
  public static String checkResource(String resource) {
    if (!RESOURCE.matcher(resource).matches()) {
      throw new IllegalArgumentException("resource id must be 1-128 characters of A-Za-z0-9._- starting with a letter or digit");
    }
    return resource;
  }

  /** Checks an action's reason: 1-200 characters, no control characters. */
  public static String checkReason(String reason) {
    if (reason.isBlank() || reason.length() > 200 || reason.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("reason must be 1-200 characters without control characters");
    }
    return reason;
  }

  private static void checkSize(int n) {
    if (n > MAX_ENTRIES) {
      throw new IllegalArgumentException("a bundle lists at most " + MAX_ENTRIES + " entries of each kind");
    }
  }

  ObjectNode toJsonNode() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    ObjectNode s = o.putObject("suspendedParties");
    suspended.forEach((p, r) -> s.put(p.toString(), r));
    ObjectNode f = o.putObject("frozenResources");
    frozen.forEach(f::put);
    return o;
  }

  /**
   * Reads the extension strictly: only the two members, each an object of string reasons; party
   * ids and resource ids must parse.
   *
   * @throws IllegalArgumentException naming the first problem
   */
  static Incidents fromJson(@Nullable JsonNode n) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("must be an object {suspendedParties, frozenResources}");
    }
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw new IllegalArgumentException("unknown member '" + f + "' (allowed: suspendedParties, frozenResources)");
      }
    }
    Incidents out = NONE;
    for (Map.Entry<String, String> e : entries(n.get("suspendedParties"), "suspendedParties").entrySet()) {
      PartyId p;
      try {
        p = PartyId.parse(e.getKey());
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("suspendedParties: '" + e.getKey() + "' is not a party id: " + ex.getMessage());
      }
      try {
        out = out.withSuspended(p, e.getValue());
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("suspendedParties " + p + ": " + ex.getMessage());
      }
    }
    for (Map.Entry<String, String> e : entries(n.get("frozenResources"), "frozenResources").entrySet()) {
      try {
        out = out.withFrozen(e.getKey(), e.getValue());
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("frozenResources: " + ex.getMessage());
      }
    }
    return out;
  }

  private static Map<String, String> entries(@Nullable JsonNode n, String what) {
    Map<String, String> m = new LinkedHashMap<>();
    if (n == null) {
      return m;
    }
    if (!n.isObject() || n.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException(what + " must be an object of at most " + MAX_ENTRIES + " id: reason members");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw new IllegalArgumentException(what + ": the reason of '" + e.getKey() + "' must be a string");
      }
      m.put(e.getKey(), e.getValue().asText());
    }
    return m;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Incidents && ((Incidents) o).suspended.equals(suspended) && ((Incidents) o).frozen.equals(frozen);
  }

  @Override
  public int hashCode() {
    return Objects.hash(suspended, frozen);
  }

  @Override
  public String toString() {
    return "Incidents[suspended " + suspended.keySet() + ", frozen " + frozen.keySet() + "]";
  }
}
