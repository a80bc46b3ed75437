package io.shulian.core.internal.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Writes a Jackson tree in the JSON Canonicalization Scheme of RFC 8785 (JCS), so that a hash over
 * it can be recomputed by any JCS implementation, in any language.
 *
 * <ul>
 *   <li>Object members are sorted by their names as arrays of UTF-16 code units (§3.2.3).
 *   <li>Numbers are IEEE-754 doubles written as ECMAScript's {@code Number.prototype.toString}
 *       writes them: the shortest decimal that reads back as the same double, plain between
 *       1e-7 and 1e21, otherwise {@code 1.5e+21} / {@code 1e-7} style; -0 is {@code 0} (§3.2.2.3).
 *   <li>Strings escape only {@code "}, {@code \}, and U+0000..U+001F ({@code \b \t \n \f \r}
 *       short forms, the others {@code \}{@code u00xx} in lower case); everything else is UTF-8
 *       (§3.2.2.2). No whitespace anywhere.
 * </ul>
 *
 * <p>JCS data is I-JSON (RFC 7493). A number too large for a double and a string with a lone
 * surrogate cannot be canonicalized: {@link IllegalArgumentException}. A number more precise than
 * a double is canonicalized as the double it reads as, as JCS says; {@link LocatedTree#parse}
 * refuses such numbers in a document ({@link #doubleProblem}), so that a document's hash never
 * stands for a value other than the one written (a policy engine reads {@code 9007199254740993}
 * exactly, the hash would read {@code 9007199254740992}).
 */
final class CanonicalJson {
  private CanonicalJson() {}

  static byte[] of(JsonNode node) {
    StringBuilder sb = new StringBuilder();
    write(sb, node);
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void write(StringBuilder sb, JsonNode n) {
    if (n.isObject()) {
      List<String> names = new ArrayList<>();
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        names.add(it.next());
      }
      // String.compareTo compares UTF-16 code units, which is exactly JCS's order.
      names.sort(String::compareTo);
      sb.append('{');
      for (int i = 0; i < names.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        string(sb, names.get(i));
        sb.append(':');
        write(sb, n.get(names.get(i)));
      }
      sb.append('}');
    } else if (n.isArray()) {
      sb.append('[');
      for (int i = 0; i < n.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        write(sb, n.get(i));
      }
      sb.append(']');
    } else if (n.isNumber()) {
      sb.append(number(toDouble(n)));
    } else if (n.isTextual()) {
      string(sb, n.textValue());
    } else if (n.isBoolean()) {
      sb.append(n.booleanValue() ? "true" : "false");
    } else if (n.isNull()) {
      sb.append("null");
    } else {
      throw new IllegalArgumentException("not a JSON value: " + n.getNodeType());
    }
  }

  /**
   * Returns the double a JSON number reads as, as JCS parses it.
   *
   * @throws IllegalArgumentException if it overflows to an infinity
   */
  private static double toDouble(JsonNode n) {
    double d = n.isDouble() || n.isFloat() ? n.doubleValue() : Double.parseDouble(n.decimalValue().toString());
    if (Double.isInfinite(d) || Double.isNaN(d)) {
      throw new IllegalArgumentException("number is outside the range of an IEEE-754 double");
    }
    return d;
  }

  /**
   * Returns why canonicalizing {@code v} would change its value (it is larger than a double holds,
   * a non-zero value that rounds to zero, or more precise than a double, like 9007199254740993 or
   * 0.10000000000000000001), or null if its canonical form has the same value.
   */
  static @Nullable String doubleProblem(BigDecimal v) {
    if (v.signum() == 0) {
      return null;
    }
    // Bound the exponent before parsing, so that 1e999999999 costs nothing.
    long magnitude = (long) v.precision() - v.scale();
    if (magnitude > 310 || magnitude < -330) {
      return "number " + abbreviate(v) + " is outside the range of an IEEE-754 double";
    }
    double d = Double.parseDouble(v.toString());
    if (Double.isInfinite(d) || d == 0) {
      return "number " + abbreviate(v) + " is outside the range of an IEEE-754 double";
    }
    String canonical = number(d);
    if (new BigDecimal(canonical).compareTo(v) != 0) {
      return "number " + abbreviate(v) + " is more precise than an IEEE-754 double (it would be hashed as "
          + canonical + "); write it as a string";
    }
    return null;
  }

  private static String abbreviate(BigDecimal v) {
    String s = v.toString();
    return s.length() <= 40 ? s : s.substring(0, 20) + "…" + s.substring(s.length() - 10);
  }

  /**
   * Returns ECMAScript's {@code Number.prototype.toString(d)} (ECMA-262 Number::toString), as
   * RFC 8785 §3.2.2.3 requires.
   *
   * @throws IllegalArgumentException for NaN and the infinities, which JSON cannot express
   */
  static String number(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new IllegalArgumentException("NaN and Infinity are not JSON numbers");
    }
    if (d == 0) {
      return "0"; // both +0 and -0
    }
    BigDecimal shortest = shortest(Math.abs(d));
    String digits = shortest.unscaledValue().toString();
    int k = digits.length();
    int n = k - shortest.scale(); // value = 0.digits × 10^n
    StringBuilder sb = new StringBuilder(32);
    if (d < 0) {
      sb.append('-');
    }
    if (k <= n && n <= 21) {
      sb.append(digits);
      for (int i = k; i < n; i++) {
        sb.append('0');
      }
    } else if (0 < n && n <= 21) {
      sb.append(digits, 0, n).append('.').append(digits, n, k);
    } else if (-6 < n && n <= 0) {
      sb.append("0.");
      for (int i = n; i < 0; i++) {
        sb.append('0');
      }
      sb.append(digits);
    } else {
      sb.append(digits.charAt(0));
      if (k > 1) {
        sb.append('.').append(digits, 1, k);
      }
      int e = n - 1;
      sb.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
    }
    return sb.toString();
  }

  /**
   * Returns the decimal with the fewest significant digits that reads back as {@code d} (positive,
   * finite); among those, the one closest to {@code d}, the even one on a tie. Java 17's
   * {@link Double#toString} is not always the shortest (JDK-4511638), so this searches by
   * precision, looking on both sides of the exact binary value.
   */
  private static BigDecimal shortest(double d) {
    BigDecimal exact = new BigDecimal(d);
    // Double.toString reads back as d, so its digit count is an upper bound; and if p digits can
    // read back as d, so can p + 1 (append a zero): step down while one fewer digit still works.
    BigDecimal best = candidate(exact, d, new BigDecimal(Double.toString(d)).stripTrailingZeros().precision());
    if (best == null) {
      throw new AssertionError("Double.toString does not read back: " + d);
    }
    for (int p = best.precision() - 1; p >= 1; p--) {
      BigDecimal shorter = candidate(exact, d, p);
      if (shorter == null) {
        break;
      }
      best = shorter;
    }
    return best.stripTrailingZeros();
  }

  /** Returns the p-digit decimal nearest {@code exact} that reads back as d, or null if none does. */
  private static @Nullable BigDecimal candidate(BigDecimal exact, double d, int p) {
    BigDecimal down = exact.round(new MathContext(p, RoundingMode.FLOOR));
    BigDecimal up = exact.round(new MathContext(p, RoundingMode.CEILING));
    boolean downOk = Double.parseDouble(down.toString()) == d;
    boolean upOk = Double.parseDouble(up.toString()) == d;
    if (downOk && upOk) {
      int c = exact.subtract(down).compareTo(up.subtract(exact));
      return c < 0 || (c == 0 && !down.unscaledValue().testBit(0)) ? down : up;
    }
    return downOk ? down : upOk ? up : null;
  }

  private static void string(StringBuilder sb, String s) {
    String problem = stringProblem(s);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\b':
          sb.append("\\b");
          break;
        case '\t':
          sb.append("\\t");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\f':
          sb.append("\\f");
          break;
        case '\r':
          sb.append("\\r");
          break;
        default:
          if (c < 0x20) {
            sb.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
          } else {
            sb.append(c);
          }
      }
    }
    sb.append('"');
  }

  /** Returns why {@code s} cannot be canonicalized (a lone surrogate), or null if it can. */
  static @Nullable String stringProblem(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "a string holds a lone UTF-16 surrogate (not Unicode text)";
      }
    }
    return null;
  }
}
