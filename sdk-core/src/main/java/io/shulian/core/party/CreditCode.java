package io.shulian.core.party;

import org.jspecify.annotations.Nullable;

/**
 * Validation of the 18-character unified social credit code (统一社会信用代码, GB 32100-2015).
 *
 * <p>Characters come from {@code 0123456789ABCDEFGHJKLMNPQRTUWXY} (no I, O, Z, S, V); the last is a
 * check character over the first 17 with weights 3^i mod 31.
 */
public final class CreditCode {
  static final String ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  private static final int[] WEIGHTS = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

  private CreditCode() {}

  /**
   * Returns null if {@code code} is a valid unified social credit code, otherwise a message naming
   * what is wrong with it.
   */
  static @Nullable String problem(String code) {
    if (code.length() != 18) {
      return "unified social credit code must have 18 characters, got " + code.length();
    }
    int sum = 0;
    for (int i = 0; i < 18; i++) {
      int v = ALPHABET.indexOf(code.charAt(i));
      if (v < 0) {
        return "unified social credit code has a character outside " + ALPHABET + " at position " + (i + 1);
      }
      if (i < 17) {
        sum += v * WEIGHTS[i];
      }
    }
    int expected = (31 - sum % 31) % 31;
    if (ALPHABET.charAt(expected) != code.charAt(17)) {
      return "unified social credit code check character is wrong (expected "
          + ALPHABET.charAt(expected) + ")";
    }
    return null;
  }

  /** Returns true if {@code code} is a well-formed unified social credit code with a valid check character. */
  public static boolean isValid(String code) {
    return problem(code) == null;
  }

  /**
   * Appends the check character to a 17-character prefix; for generating test and demo identities.
   *
   * @throws IllegalArgumentException if the prefix is not 17 characters of the code alphabet
   */
  public static String withCheckCharacter(String first17) {
    if (first17.length() != 17) {
      throw new IllegalArgumentException("need 17 characters, got " + first17.length());
    }
    int sum = 0;
    for (int i = 0; i < 17; i++) {
      int v = ALPHABET.indexOf(first17.charAt(i));
      if (v < 0) {
        throw new IllegalArgumentException("character outside " + ALPHABET + " at position " + (i + 1));
      }
      sum += v * WEIGHTS[i];
    }
    return first17 + ALPHABET.charAt((31 - sum % 31) % 31);
  }
}
