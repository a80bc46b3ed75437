package io.shulian.core.catalog;

import io.shulian.core.ShulianException;
import java.util.List;

/**
 * A catalog or policy document was refused when it was loaded. It lists every problem found, each
 * with its location, so that an author can fix them all in one pass.
 */
public final class InvalidDocumentException extends ShulianException {
  private static final long serialVersionUID = 1L;

  private final transient List<Problem> problems;

  public InvalidDocumentException(String what, List<Problem> problems) {
    super(what + " is invalid: " + problems.size() + " problem(s); first: " + (problems.isEmpty() ? "-" : problems.get(0)));
    this.problems = List.copyOf(problems);
  }

  /** Returns every problem, in document order. Never empty. */
  public List<Problem> problems() {
    return problems;
  }

  @Override
  public String code() {
    return "INVALID_DOCUMENT";
  }
}
