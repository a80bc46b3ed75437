package io.shulian.core.party;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Identifies an organisation, and optionally one of its systems, in the city exchange.
 *
 * <p>Text form: {@code <division code>/<unified social credit code>[/<system code>]}, for example
 * {@code 440604/11440604MB2C12345X/permits} (a made-up value). The division code has 6, 9 or 12
 * digits and gives the party's {@link AdministrativeLevel}; the credit code's check character is
 * verified; the system code is 1 to 64 characters of lower-case letters, digits, '-', '_' or '.'.
 * {@link #parse} and {@link #toString} are exact inverses.
 *
 * <p>Immutable and thread-safe.
 */
public final class PartyId implements Comparable<PartyId> {
  private static final Pattern SYSTEM = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  private final String divisionCode;
  private final String creditCode;
  private final @Nullable String systemCode;
  private final String text;

  private PartyId(String divisionCode, String creditCode, @Nullable String systemCode) {
    this.divisionCode = divisionCode;
    this.creditCode = creditCode;
    this.systemCode = systemCode;
    this.text = divisionCode + "/" + creditCode + (systemCode == null ? "" : "/" + systemCode);
  }

  /**
   * Parses the text form.
   *
   * @throws IllegalArgumentException naming the part that is wrong
   */
  public static PartyId parse(String text) {
    Objects.requireNonNull(text, "text");
    if (text.length() > 120) {
      throw new IllegalArgumentException("party id is longer than 120 characters");
    }
    String[] parts = text.split("/", -1);
    if (parts.length < 2 || parts.length > 3) {
      throw new IllegalArgumentException(
          "party id must be <division code>/<credit code>[/<system code>], got " + parts.length + " part(s)");
    }
    return of(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
  }

  /**
   * Builds a party id from its parts.
   *
   * @param systemCode null for the organisation itself
   * @throws IllegalArgumentException naming the part that is wrong
   */
  public static PartyId of(String divisionCode, String creditCode, @Nullable String systemCode) {
    try {
      AdministrativeLevel.ofDivisionCode(divisionCode);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad division code: " + e.getMessage(), e);
    }
    String problem = CreditCode.problem(creditCode);
    if (problem != null) {
      throw new IllegalArgumentException("bad credit code: " + problem);
    }
    if (systemCode != null && !SYSTEM.matcher(systemCode).matches()) {
      throw new IllegalArgumentException(
          "bad system code: must be 1-64 of [a-z0-9._-] starting with a letter or digit");
    }
    return new PartyId(divisionCode, creditCode, systemCode);
  }

  /** Returns the GB/T 2260 (or statistical) division code. */
  public String divisionCode() {
    return divisionCode;
  }

  /** Returns the unified social credit code. */
  public String creditCode() {
    return creditCode;
  }

  /** Returns the system code, if this id names a system of the organisation. */
  public Optional<String> systemCode() {
    return Optional.ofNullable(systemCode);
  }

  /** Returns the level the division code denotes. */
  public AdministrativeLevel level() {
    return AdministrativeLevel.ofDivisionCode(divisionCode);
  }

  /** Returns this id without its system code: the organisation itself. */
  public PartyId organisation() {
    return systemCode == null ? this : new PartyId(divisionCode, creditCode, null);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof PartyId && ((PartyId) o).text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public int compareTo(PartyId o) {
    return text.compareTo(o.text);
  }

  /** Returns the text form, which {@link #parse} reads back to an equal id. */
  @Override
  public String toString() {
    return text;
  }
}
