package io.shulian.core.party;

/**
 * The administrative level a division code denotes, from the top down. The order of the constants
 * is the hierarchy: {@code PROVINCE} is above {@code CITY}, which is above {@code DISTRICT}, and so
 * on. "Return flow" (回流) is data moving from a higher level to a lower one.
 */
public enum AdministrativeLevel {
  PROVINCE,
  CITY,
  DISTRICT,
  TOWN,
  VILLAGE;

  /** Returns true if this level is strictly above {@code other} (closer to the province). */
  public boolean isAbove(AdministrativeLevel other) {
    return ordinal() < other.ordinal();
  }

  /**
   * Returns the level a GB/T 2260 (6 digits) or statistical division code (9 or 12 digits) denotes.
   *
   * @throws IllegalArgumentException if the code is not 6, 9 or 12 ASCII digits
   */
  public static AdministrativeLevel ofDivisionCode(String code) {
    if (!isDigits(code)) {
      throw new IllegalArgumentException("division code must be ASCII digits, got length " + code.length());
    }
    switch (code.length()) {
      case 12:
        return VILLAGE;
      case 9:
        return TOWN;
      case 6:
        if (code.endsWith("0000")) {
          return PROVINCE;
        }
        return code.endsWith("00") ? CITY : DISTRICT;
      default:
        throw new IllegalArgumentException(
            "division code must have 6, 9 or 12 digits, got " + code.length());
    }
  }

  static boolean isDigits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }
}
