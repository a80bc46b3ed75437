package io.shulian.core.policy.mask;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Seeded random JSON shapes around masked paths: member names from the paths, their aliases and
 * unrelated names; a secret marker placed only under names that are (or alias) masked fields. Every
 * payload is either refused with a {@link MaskingException} or masked so that the marker's middle
 * (which no mask function keeps) never appears in the output.
 */
class MaskerPropertyTest {
  static final String TEXT_MARKER = "Zq7Xw9Lp3Rt5Vb2Nc8Hs";
  static final String NUMBER_MARKER = "73918264550193847261";
  /** Characters 6-13 of each marker: no mask function keeps them (id-number keeps 6 + 4 of 20). */
  static final List<String> MIDDLES = List.of(TEXT_MARKER.substring(6, 14), NUMBER_MARKER.substring(6, 14));

  static final List<String> STRUCTURE = List.of("applicant", "members", "data", "results", "x", "total", "balance",
      "monthlyDeposit", "items", "meta");
  static final List<String> SENSITIVE = List.of("idNumber", "name", "phone", "bankCard", "IDNUMBER", "IdNumber",
      "applicant.idNumber", "members[].phone", "members[3].phone", "id_number", "ｉｄＮｕｍｂｅｒ", "Phone", "bank-card",
      "BANKCARD", "applicantName", "ıdNumber", "id\\u004eumber", "ph\\u006fne");
  static final List<String> NUMBERS = List.of("0", "-0", "1e400", "12345678901234567.89", "-1.5E-300", "42", "3.0");

  static Masker.Builder fund() {
    return Masker.builder()
        .field("applicant.name", MaskSpec.of(MaskFunction.NAME))
        .field("applicant.idNumber", MaskSpec.of(MaskFunction.ID_NUMBER))
        .field("applicant.phone", MaskSpec.of(MaskFunction.DROP))
        .field("members[].phone", MaskSpec.of(MaskFunction.PHONE))
        .field("members[].idNumber", MaskSpec.of(MaskFunction.HASH))
        .field("bankCard", MaskSpec.of(MaskFunction.BANK_CARD))
        .listField("balance")
        .listField("monthlyDeposit")
        .hashKey("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
  }

  /** Builds one random JSON text; {@code projected} allows the marker under any name but the listed unmasked ones. */
  static final class Gen {
    final Random rnd;
    final boolean projected;
    boolean markerPlaced;

    Gen(long seed, boolean projected) {
      this.rnd = new Random(seed);
      this.projected = projected;
    }

    String payload() {
      int r = rnd.nextInt(10);
      if (r < 5) {
        return object(0, false, "");
      }
      if (r < 9) {
        StringBuilder b = new StringBuilder("[");
        int n = rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
          b.append(i == 0 ? "" : ",").append(rnd.nextInt(8) == 0 ? value(1, false, "") : object(1, false, ""));
        }
        return b.append(']').toString();
      }
      if (rnd.nextBoolean()) {
        markerPlaced = true;
        return rnd.nextBoolean() ? "\"" + TEXT_MARKER + "\"" : NUMBER_MARKER;
      }
      return value(0, false, "");
    }

    /** Half the time a member the paths name at this place, so that masking itself is exercised. */
    String key(String parent) {
      List<String> onPath = parent.equals("") ? List.of("applicant", "members", "bankCard", "balance")
          : parent.equals("applicant") ? List.of("name", "idNumber", "phone")
          : parent.equals("members") ? List.of("phone", "idNumber") : List.of();
      if (!onPath.isEmpty() && rnd.nextBoolean()) {
        return onPath.get(rnd.nextInt(onPath.size()));
      }
      int r = rnd.nextInt(10);
      if (r < 5) {
        return STRUCTURE.get(rnd.nextInt(STRUCTURE.size()));
      }
      if (r < 9) {
        return SENSITIVE.get(rnd.nextInt(SENSITIVE.size()));
      }
      return "k" + rnd.nextInt(100);
    }

    boolean carries(String key, boolean above) {
      if (key.equals("balance") || key.equals("monthlyDeposit")) {
        return above;
      }
      return above || SENSITIVE.contains(key) || projected;
    }

    String object(int depth, boolean sensitive, String parent) {
      StringBuilder b = new StringBuilder("{");
      int n = rnd.nextInt(5);
      String last = null;
      for (int i = 0; i < n; i++) {
        // sometimes the same member twice
        String k = last != null && rnd.nextInt(12) == 0 ? last : key(parent);
        last = k;
        b.append(i == 0 ? "" : ",").append('"').append(k).append("\":").append(value(depth + 1, carries(k, sensitive), k));
      }
      return b.append('}').toString();
    }

    /** A value of member {@code name} (array elements inherit the member's name). */
    String value(int depth, boolean sensitive, String name) {
      int r = rnd.nextInt(10);
      if (depth >= 6 || r < 5) {
        if (sensitive && rnd.nextInt(3) > 0) {
          markerPlaced = true;
          return rnd.nextBoolean() ? "\"" + TEXT_MARKER + "\"" : NUMBER_MARKER;
        }
        switch (rnd.nextInt(5)) {
          case 0:
            return "null";
          case 1:
            return rnd.nextBoolean() ? "true" : "false";
          case 2:
            return NUMBERS.get(rnd.nextInt(NUMBERS.size()));
          default:
            return "\"v" + rnd.nextInt(1000) + "\"";
        }
      }
      if (r < 8) {
        return object(depth, sensitive, name);
      }
      StringBuilder b = new StringBuilder("[");
      int n = rnd.nextInt(4);
      for (int i = 0; i < n; i++) {
        b.append(i == 0 ? "" : ",").append(value(depth + 1, sensitive, name));
      }
      return b.append(']').toString();
    }
  }

  static void run(Masker m, boolean projected, int cases) {
    Map<String, Integer> outcomes = new TreeMap<>();
    int maskedWithMarker = 0;
    for (long seed = 0; seed < cases; seed++) {
      Gen gen = new Gen(seed, projected);
      String json = gen.payload();
      byte[] out;
      try {
        out = m.mask(json.getBytes(StandardCharsets.UTF_8));
      } catch (MaskingException e) {
        outcomes.merge(e.code(), 1, Integer::sum);
        for (String mid : MIDDLES) {
          assertThat(e.getMessage()).as("seed %d: %s", seed, json).doesNotContain(mid);
        }
        continue;
      }
      outcomes.merge("MASKED", 1, Integer::sum);
      maskedWithMarker += gen.markerPlaced ? 1 : 0;
      String text = new String(out, StandardCharsets.UTF_8);
      for (String mid : MIDDLES) {
        assertThat(text).as("seed %d: %s", seed, json).doesNotContain(mid);
      }
    }
    // the run is not vacuous: payloads with markers were released masked, and each refusal kind occurred
    assertThat(maskedWithMarker).as("%s, masked with a marker: %s", outcomes, maskedWithMarker).isGreaterThan(cases / 100);
    assertThat(outcomes.keySet()).as("%s", outcomes).containsAll(projected
        ? Set.of("MASKED", "SHAPE_MISMATCH", "DUPLICATE_FIELD")
        : Set.of("MASKED", "SHAPE_MISMATCH", "DUPLICATE_FIELD", "ALIASED_FIELD"));
  }

  @Test
  void mask_randomShapesUnderMaskedNames_neverReleaseTheMarker() {
    run(fund().build(), false, 20_000);
  }

  @Test
  void mask_randomShapesWithProjection_neverReleaseTheMarker() {
    run(fund().dropUnlisted(true).build(), true, 20_000);
  }
}
