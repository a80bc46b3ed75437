package io.shulian.core.policy.mask;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A masking function with its parameters. Parameters: {@code keepFirst}, {@code keepLast} (0-32)
 * and {@code maskChar} (one character, default '*') for the partial functions; {@code algorithm}
 * ({@code hmac-sha256}, the default, or {@code hmac-sm3}) for {@code hash}. Immutable.
 */
public final class MaskSpec {
  private static final int MAX_KEEP = 32;

  private final MaskFunction function;
  private final int keepFirst;
  private final int keepLast;
  private final char maskChar;
  private final String algorithm;

  private MaskSpec(MaskFunction function, int keepFirst, int keepLast, char maskChar, String algorithm) {
    this.function = function;
    this.keepFirst = keepFirst;
    this.keepLast = keepLast;
    this.maskChar = maskChar;
    this.algorithm = algorithm;
  }

  /** Returns the function with its documented defaults. */
  public static MaskSpec of(MaskFunction function) {
    Objects.requireNonNull(function, "function");
    return new MaskSpec(function, function.defaultKeepFirst, function.defaultKeepLast, '*', "hmac-sha256");
  }

  /**
   * Returns the function with these parameters (text values, as written in YAML or JSON).
   *
   * @throws IllegalArgumentException naming an unknown function, an unknown parameter or a bad value
   */
  public static MaskSpec parse(String function, Map<String, String> params) {
    MaskFunction f = MaskFunction.fromWireName(function);
    if (f == null) {
      throw new IllegalArgumentException("unknown mask function '" + function
          + "' (known: none, partial, name, id-number, phone, address, bank-card, hash, drop)");
    }
    int kf = f.defaultKeepFirst;
    int kl = f.defaultKeepLast;
    char mc = '*';
    String alg = "hmac-sha256";
    List<String> allowed = f.isPartial()
        ? (f == MaskFunction.ADDRESS ? List.of("maskChar") : List.of("keepFirst", "keepLast", "maskChar"))
        : f == MaskFunction.HASH ? List.of("algorithm") : List.of();
    for (Map.Entry<String, String> e : params.entrySet()) {
      String k = e.getKey();
      String v = e.getValue();
      if (!allowed.contains(k)) {
        throw new IllegalArgumentException("mask function '" + function + "' has no parameter '" + k + "'"
            + (allowed.isEmpty() ? " (it takes none)" : " (allowed: " + String.join(", ", allowed) + ")"));
      }
      switch (k) {
        case "keepFirst":
          kf = count(k, v);
          break;
        case "keepLast":
          kl = count(k, v);
          break;
        case "maskChar":
          if (v.length() != 1 || Character.isSurrogate(v.charAt(0)) || Character.isISOControl(v.charAt(0))) {
            throw new IllegalArgumentException("maskChar must be one printable character, got '" + v + "'");
          }
          mc = v.charAt(0);
          break;
        default:
          if (!v.equals("hmac-sha256") && !v.equals("hmac-sm3")) {
            throw new IllegalArgumentException("hash algorithm must be hmac-sha256 or hmac-sm3, got '" + v + "'");
          }
          alg = v;
      }
    }
    return new MaskSpec(f, kf, kl, mc, alg);
  }

  private static int count(String k, String v) {
    try {
      int n = Integer.parseInt(v);
      if (n >= 0 && n <= MAX_KEEP) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(k + " must be an integer from 0 to " + MAX_KEEP + ", got '" + v + "'");
  }

  public MaskFunction function() {
    return function;
  }

  public int keepFirst() {
    return keepFirst;
  }

  public int keepLast() {
    return keepLast;
  }

  public char maskChar() {
    return maskChar;
  }

  /** Returns {@code hmac-sha256} or {@code hmac-sm3}; meaningful for {@code hash} only. */
  public String algorithm() {
    return algorithm;
  }

  /**
   * Returns the stricter of two specs: the higher {@link MaskFunction#strictness()}; between two
   * partial masks, the one that keeps fewer characters (then the earlier function); else {@code a}.
   */
  public static MaskSpec stricter(@Nullable MaskSpec a, MaskSpec b) {
    if (a == null) {
      return b;
    }
    int sa = a.function.strictness();
    int sb = b.function.strictness();
    if (sa != sb) {
      return sa > sb ? a : b;
    }
    if (a.function.isPartial()) {
      int ka = a.function == MaskFunction.ADDRESS ? 0 : a.keepFirst + a.keepLast;
      int kb = b.function == MaskFunction.ADDRESS ? 0 : b.keepFirst + b.keepLast;
      if (ka != kb) {
        return ka < kb ? a : b;
      }
      return a.function.ordinal() <= b.function.ordinal() ? a : b;
    }
    return a;
  }

  /** Returns the parameters that differ from the function's defaults, as text. */
  public Map<String, String> params() {
    Map<String, String> m = new LinkedHashMap<>();
    if (function.isPartial() && function != MaskFunction.ADDRESS) {
      if (keepFirst != function.defaultKeepFirst) {
        m.put("keepFirst", Integer.toString(keepFirst));
      }
      if (keepLast != function.defaultKeepLast) {
        m.put("keepLast", Integer.toString(keepLast));
      }
    }
    if (function.isPartial() && maskChar != '*') {
      m.put("maskChar", String.valueOf(maskChar));
    }
    if (function == MaskFunction.HASH && !algorithm.equals("hmac-sha256")) {
      m.put("algorithm", algorithm);
    }
    return m;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    if (!(o instanceof MaskSpec)) {
      return false;
    }
    MaskSpec s = (MaskSpec) o;
    return s.function == function && s.keepFirst == keepFirst && s.keepLast == keepLast && s.maskChar == maskChar
        && s.algorithm.equals(algorithm);
  }

  @Override
  public int hashCode() {
    return Objects.hash(function, keepFirst, keepLast, maskChar, algorithm);
  }

  @Override
  public String toString() {
    Map<String, String> p = params();
    return p.isEmpty() ? function.wireName() : function.wireName() + p;
  }
}
