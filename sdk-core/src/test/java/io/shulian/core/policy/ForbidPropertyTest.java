package io.shulian.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.catalog.Catalog;
import io.shulian.core.party.PartyId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded-random property tests: whatever PERMIT rules are added, a request that an applicable
 * FORBID denies stays denied, and a released field is never one an applicable FORBID covers.
 */
class ForbidPropertyTest {
  static final String[] FUNCS = {"none", "name", "phone", "id-number", "hash", "drop", "partial"};
  static final String[] ACTIONS = {"query", "subscribe", "export", "return-flow"};
  static final Set<String> FORBID_CODES = Set.of("NOT_SHARED", "FORBIDDEN", "FIELD_FORBIDDEN", "FORBID_ERROR");
  static final List<PartyId> SUBJECTS = List.of(
      PartyId.parse("440600/11440600MB2C5678CX"),
      PartyId.parse("440600/11440600MB2C5678CX/relief"),
      PartyId.parse("440600/11440600MB2C2468BF"),
      PartyId.parse("440604/11440604MB2C9012D6"),
      PartyId.parse("440604001/11440604MB2C7777TQ"),
      PartyId.parse("440604001001/11440604MB2C7777TQ"),
      PartyId.parse("440000/11440000MB2C3456PM"),
      PartyId.parse("430104/11440604MB2C9012D6"));
  static final String[] PROVIDERS = {"440600/11440600MB2C1234HN/housing", "440000/11440000MB2C3456PM", "440604/11440604MB2C9012D6"};
  static final int RESOURCES = 12;
  static final int FIELDS = 6;

  static String catalog(Random rnd) {
    StringBuilder y = new StringBuilder("version: \"p\"\npurposes:\n");
    for (int p = 0; p < 4; p++) {
      y.append("  - {code: p").append(p).append(", name: P").append(p).append("}\n");
    }
    y.append("resources:\n");
    for (int r = 0; r < RESOURCES; r++) {
      int type = rnd.nextInt(3);
      y.append("  - code: r").append(r).append("\n    name: R\n    provider: ").append(PROVIDERS[rnd.nextInt(3)]).append('\n');
      y.append("    sharing: {type: ").append(type == 0 ? "unconditional" : type == 1 ? "conditional, conditions: c"
          : "not-shared, legalBasis: law").append("}\n");
      y.append("    purposes: [p0, p1").append(rnd.nextBoolean() ? ", p2" : "").append("]\n    fields:\n");
      for (int f = 0; f < FIELDS; f++) {
        String cls = rnd.nextInt(5) == 0 ? "core" : rnd.nextBoolean() ? "important" : "general";
        String pi = new String[] {"none", "name", "phone", "id-number"}[rnd.nextInt(4)];
        y.append("      - {name: f").append(f).append(", type: string, classification: ").append(cls)
            .append(", personalInfo: ").append(pi).append("}\n");
      }
    }
    return y.toString();
  }

  static String rule(Random rnd, String id, boolean permit) {
    StringBuilder y = new StringBuilder("  - id: ").append(id).append("\n    effect: ").append(permit ? "permit" : "forbid").append('\n');
    switch (rnd.nextInt(4)) {
      case 0:
        y.append("    subject: \"*\"\n");
        break;
      case 1:
        y.append("    subject: {level: [").append(new String[] {"city", "district", "town", "province"}[rnd.nextInt(4)]).append("]}\n");
        break;
      case 2:
        y.append("    subject: {division: [\"").append(new String[] {"44", "4406", "440604", "43"}[rnd.nextInt(4)]).append("\"]}\n");
        break;
      default:
        y.append("    subject: {party: [").append(SUBJECTS.get(rnd.nextInt(SUBJECTS.size())).organisation()).append("]}\n");
    }
    int a = rnd.nextInt(4);
    y.append("    action: [").append(ACTIONS[a]).append(a != 0 && rnd.nextBoolean() ? ", query" : "").append("]\n");
    y.append("    resource: [r").append(rnd.nextInt(RESOURCES)).append("]\n");
    if (rnd.nextBoolean()) {
      y.append("    fields: [f").append(rnd.nextInt(FIELDS - 3)).append(", f").append(FIELDS - 1 - rnd.nextInt(3)).append("]\n");
    }
    List<String> cond = new ArrayList<>();
    if (rnd.nextBoolean()) {
      cond.add("purpose: [p" + rnd.nextInt(4) + "]");
    }
    if (rnd.nextInt(3) == 0) {
      cond.add("level: " + new String[] {"upper-to-lower", "lower-to-upper", "same-level"}[rnd.nextInt(3)]);
    }
    if (!cond.isEmpty()) {
      y.append("    conditions: {").append(String.join(", ", cond)).append("}\n");
    }
    if (permit && rnd.nextBoolean()) {
      y.append("    obligations: {mask: {f").append(rnd.nextInt(FIELDS)).append(": ").append(FUNCS[rnd.nextInt(FUNCS.length)])
          .append("}, audit: full}\n");
    }
    y.append("    basis: b\n");
    return y.toString();
  }

  static PolicySet set(Catalog c, List<String> rules) throws Exception {
    String doc = "version: \"p\"\nrules:\n" + String.join("", rules) + (rules.isEmpty() ? "  []\n" : "");
    if (rules.isEmpty()) {
      doc = "version: \"p\"\nrules: []\n";
    }
    return PolicySet.parse(c, "rules.yaml", doc.getBytes(StandardCharsets.UTF_8));
  }

  static PolicyRequest request(Random rnd) {
    List<String> fields = new ArrayList<>();
    if (rnd.nextBoolean()) {
      for (int f = 0; f < FIELDS; f++) {
        if (rnd.nextInt(3) == 0) {
          fields.add("f" + f);
        }
      }
    }
    return PolicyRequest.builder()
        .subject(SUBJECTS.get(rnd.nextInt(SUBJECTS.size())))
        .resource("r" + rnd.nextInt(RESOURCES))
        .action(Action.fromWireName(ACTIONS[rnd.nextInt(4)]))
        .purpose("p" + rnd.nextInt(4))
        .fields(fields)
        .build();
  }

  static boolean deniedByForbid(Decision d) {
    return !d.isPermit() && d.reasons().stream().anyMatch(r -> FORBID_CODES.contains(r.code().wireName()));
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
  void decide_addingPermits_neverTurnsForbidIntoPermit(long seed) throws Exception {
    Random rnd = new Random(seed);
    Catalog c = Catalog.parse("catalog.yaml", catalog(rnd).getBytes(StandardCharsets.UTF_8));
    List<String> rules = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      rules.add(rule(rnd, "rule-" + i, rnd.nextInt(3) != 0));
    }
    PolicyEngine before = PolicyEngine.builder(set(c, rules)).withoutMaskHashKey().build();
    List<String> more = new ArrayList<>(rules);
    for (int i = 0; i < 40; i++) {
      more.add(rule(rnd, "extra-permit-" + i, true));
    }
    // A catch-all permit for every resource, action and subject, too.
    more.add("  - {id: permit-everything, effect: permit, subject: \"*\", action: \"*\", resource: \"*\", basis: b}\n");
    PolicyEngine after = PolicyEngine.builder(set(c, more)).withoutMaskHashKey().build();

    int forbidden = 0;
    for (int i = 0; i < 400; i++) {
      PolicyRequest req = request(rnd);
      Decision d0 = before.decide(req);
      Decision d1 = after.decide(req);
      if (deniedByForbid(d0)) {
        forbidden++;
        assertThat(d1.isPermit()).as("seed %d, %s: was %s, now %s", seed, req, d0, d1).isFalse();
        assertThat(deniedByForbid(d1)).as("still denied by a forbid: %s", d1).isTrue();
      }
    }
    assertThat(forbidden).as("the generator produced forbidden requests").isPositive();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {101, 102, 103, 104, 105, 106, 107, 108, 109, 110})
  void decide_fieldForbid_fieldNeverReleased(long seed) throws Exception {
    Random rnd = new Random(seed);
    Catalog c = Catalog.parse("catalog.yaml", catalog(rnd).getBytes(StandardCharsets.UTF_8));
    List<String> rules = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      rules.add(rule(rnd, "rule-" + i, true));
    }
    // Forbid f2 of every resource for everyone, always.
    for (int r = 0; r < RESOURCES; r++) {
      rules.add("  - {id: no-f2-r" + r + ", effect: forbid, subject: \"*\", action: \"*\", resource: [r" + r
          + "], fields: [f2], basis: b}\n");
    }
    PolicyEngine engine = PolicyEngine.builder(set(c, rules)).withoutMaskHashKey().build();
    int permits = 0;
    for (int i = 0; i < 400; i++) {
      PolicyRequest req = request(rnd);
      Decision d = engine.decide(req);
      if (d.isPermit()) {
        permits++;
        assertThat(req.fields()).doesNotContain("f2");
        assertThat(d.obligations().masks().get("f2")).as("%s -> %s", req, d).isNotNull();
        assertThat(d.obligations().masks().get("f2").function().wireName()).isEqualTo("drop");
      } else if (req.fields().contains("f2") && d.hasReason("FIELD_FORBIDDEN")) {
        assertThat(d.ruleIds()).contains("no-f2-" + req.resource());
      }
    }
    assertThat(permits).as("the generator produced permitted requests").isPositive();
  }
}
