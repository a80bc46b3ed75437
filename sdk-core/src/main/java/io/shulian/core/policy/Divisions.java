package io.shulian.core.policy;

import io.shulian.core.party.AdministrativeLevel;

/**
 * Containment of GB/T 2260 division codes: a division lies within another if its code starts with
 * the digits the other's sub-divisions share (44 for the province 440000, 4406 for the city 440600,
 * the whole code for a district, town or village).
 */
final class Divisions {
  private Divisions() {}

  /** Returns the leading digits every division within {@code code} shares. */
  static String jurisdiction(String code) {
    switch (AdministrativeLevel.ofDivisionCode(code)) {
      case PROVINCE:
        return code.substring(0, 2);
      case CITY:
        return code.substring(0, 4);
      default:
        return code;
    }
  }

  /** Returns true if the division {@code inner} is {@code outer} or lies within it. */
  static boolean within(String inner, String outer) {
    return inner.startsWith(jurisdiction(outer));
  }
}
