package io.shulian.core.catalog;

import io.shulian.core.ErrorCode;
import io.shulian.core.ShulianException;
import java.util.List;

/**
 * A catalog or policy document was refused when it was loaded. It lists every problem found, each
 * with its location, so that an author can fix them all in one pass.
 */
public final class InvalidDocumentException extends ShulianException {
  private static final long serialVersionUID = 1L;

  /** Why a document was refused; one reason today, an enum like every area's. */
  public enum Reason implements ErrorCode {
    /** The document has problems; {@link #problems()} lists them. */
    INVALID_DOCUMENT
  }

  private final transient List<Problem> problems;

  public InvalidDocumentException(String what, List<Problem> problems) {
    super(Reason.INVALID_DOCUMENT, what + " is invalid: " + problems.size() + " problem(s); first: " + (problems.isEmpty() ? "-" : problems.get(0)));
    this.problems = List.copyOf(problems);
  }

  /** Returns every problem, in document order. Never empty. */
  public List<Problem> problems() {
    return problems;
  }

  /** Returns why; {@link #code()} is its wire name. */
  public Reason reason() {
    return (Reason) errorCode();
  }
}
