package io.shulian.benchmarks;

import io.shulian.core.catalog.Catalog;
import io.shulian.core.party.PartyId;
import io.shulian.core.policy.Action;
import io.shulian.core.policy.Decision;
import io.shulian.core.policy.PolicyEngine;
import io.shulian.core.policy.PolicyRequest;
import io.shulian.core.policy.PolicySet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Policy decisions against a generated catalog of 1,000 resources (8 fields each) and 10,000
 * explicit rules (plus 1,000 derived ones): uncached (sample time, for the median) and cached
 * (throughput). Requests cycle through 4,096 pre-built ones: mixed subjects, actions, purposes and
 * field lists, about half of them permitted. Targets: uncached median under 2 µs, cached at least
 * 1,000,000 decisions per second per core.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PolicyDecisionBenchmark {
  static final int RESOURCES = 1_000;
  static final int RULES = 10_000;
  static final int FIELDS = 8;
  static final int REQUESTS = 4_096;

  PolicyEngine uncached;
  PolicyEngine cached;
  PolicyRequest[] requests;
  int next;

  static final String[] PURPOSES = {"p0", "p1", "p2", "p3", "p4"};
  static final String[] PI = {"none", "name", "phone", "id-number", "none", "none", "address", "bank-card"};

  static List<PartyId> parties() {
    List<PartyId> out = new ArrayList<>();
    String[] divisions = {"440600", "440604", "440605", "440606", "440604001", "440604001001", "440000", "440100"};
    String[] credits = {"11440600MB2C1234HN", "11440600MB2C5678CX", "11440600MB2C2468BF", "11440604MB2C9012D6",
        "11440604MB2C7777TQ", "11440000MB2C3456PM", "11440600MB2C4321AN"};
    for (String d : divisions) {
      for (String c : credits) {
        out.add(PartyId.parse(d + "/" + c));
      }
    }
    return out;
  }

  static String catalogYaml(Random rnd, List<PartyId> parties) {
    StringBuilder y = new StringBuilder(4 << 20).append("version: \"bench\"\npurposes:\n");
    for (String p : PURPOSES) {
      y.append("  - {code: ").append(p).append(", name: ").append(p).append("}\n");
    }
    y.append("resources:\n");
    for (int r = 0; r < RESOURCES; r++) {
      int t = rnd.nextInt(10);
      String sharing = t < 6 ? "{type: unconditional}" : t < 9 ? "{type: conditional, conditions: c}"
          : "{type: not-shared, legalBasis: law}";
      y.append("  - code: r").append(r).append("\n    name: R").append(r).append("\n    provider: ")
          .append(parties.get(rnd.nextInt(parties.size()))).append("\n    sharing: ").append(sharing)
          .append("\n    purposes: [p0, p1, p2]\n    fields:\n");
      for (int f = 0; f < FIELDS; f++) {
        y.append("      - {name: f").append(f).append(", type: string, classification: ")
            .append(f == FIELDS - 1 ? "core" : "important").append(", personalInfo: ").append(PI[f]).append("}\n");
      }
    }
    return y.toString();
  }

  static String rulesYaml(Random rnd, List<PartyId> parties) {
    StringBuilder y = new StringBuilder(8 << 20).append("version: \"bench\"\nrules:\n");
    String[] actions = {"query", "subscribe", "export", "return-flow"};
    for (int i = 0; i < RULES; i++) {
      boolean permit = rnd.nextInt(4) != 0;
      y.append("  - id: rule-").append(i).append("\n    effect: ").append(permit ? "permit" : "forbid").append('\n');
      switch (rnd.nextInt(3)) {
        case 0:
          int p1 = rnd.nextInt(parties.size());
          int p2 = (p1 + 1 + rnd.nextInt(parties.size() - 1)) % parties.size();
          y.append("    subject: {party: [").append(parties.get(p1)).append(", ").append(parties.get(p2)).append("]}\n");
          break;
        case 1:
          y.append("    subject: {division: [\"44060").append(rnd.nextInt(7)).append("\"]}\n");
          break;
        default:
          y.append("    subject: {level: [").append(rnd.nextBoolean() ? "district" : "town").append("]}\n");
      }
      y.append("    action: [").append(actions[rnd.nextInt(4)]).append("]\n");
      y.append("    resource: [r").append(rnd.nextInt(RESOURCES)).append("]\n");
      int a = rnd.nextInt(FIELDS - 1);
      int b = (a + 1 + rnd.nextInt(FIELDS - 2)) % FIELDS;
      y.append("    fields: [f").append(a).append(", f").append(b).append("]\n");
      y.append("    conditions: {purpose: [").append(PURPOSES[rnd.nextInt(3)]).append("]");
      if (rnd.nextInt(4) == 0) {
        y.append(", level: upper-to-lower");
      }
      y.append("}\n");
      if (permit && rnd.nextBoolean()) {
        y.append("    obligations: {mask: {f").append(a).append(": hash}, audit: full}\n");
      }
      y.append("    basis: generated\n");
    }
    return y.toString();
  }

  @Setup
  public void setUp() throws Exception {
    Random rnd = new Random(42);
    List<PartyId> parties = parties();
    Catalog c = Catalog.parse("catalog.yaml", catalogYaml(rnd, parties).getBytes(StandardCharsets.UTF_8));
    PolicySet set = PolicySet.parse(c, "policies.yaml", rulesYaml(rnd, parties).getBytes(StandardCharsets.UTF_8));
    uncached = PolicyEngine.builder(set).decisionCacheSize(0).withoutMaskHashKey().build();
    cached = PolicyEngine.builder(set).decisionCacheSize(100_000).withoutMaskHashKey().build();
    requests = new PolicyRequest[REQUESTS];
    Action[] actions = {Action.QUERY, Action.QUERY, Action.SUBSCRIBE, Action.EXPORT, Action.RETURN_FLOW};
    int permits = 0;
    for (int i = 0; i < REQUESTS; i++) {
      List<String> fields = new ArrayList<>();
      int n = rnd.nextInt(4);
      for (int k = 0; k < n; k++) {
        String f = "f" + rnd.nextInt(FIELDS - 1);
        if (!fields.contains(f)) {
          fields.add(f);
        }
      }
      requests[i] = PolicyRequest.builder()
          .subject(parties.get(rnd.nextInt(parties.size())))
          .resource("r" + rnd.nextInt(RESOURCES))
          .action(actions[rnd.nextInt(actions.length)])
          .purpose(PURPOSES[rnd.nextInt(4)])
          .fields(fields)
          .build();
      if (uncached.decide(requests[i]).isPermit()) {
        permits++;
      }
      cached.decide(requests[i]);
    }
    System.out.println("\n[setup] " + set + "; " + permits + " of " + REQUESTS + " requests permitted");
  }

  private PolicyRequest nextRequest() {
    int i = next;
    next = (i + 1) & (REQUESTS - 1);
    return requests[i];
  }

  /** A fresh evaluation per call: the index lookup, all conditions, merging of masks, the Decision. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Decision uncached() {
    return uncached.decide(nextRequest());
  }

  /** The same requests answered from the decision cache. */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public Decision cached() {
    return cached.decide(nextRequest());
  }
}
