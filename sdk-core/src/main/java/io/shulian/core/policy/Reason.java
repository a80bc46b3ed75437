package io.shulian.core.policy;

import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Why a decision came out as it did: a stable code ({@code NOT_SHARED}, {@code GRANT_EXPIRED},
 * {@code PURPOSE_NOT_ALLOWED}, ...) and a message for the operator. The engine spells out messages
 * only when they are read, so decisions stay cheap. Immutable and thread-safe.
 */
public final class Reason {
  private final ReasonCode code;
  private @Nullable Supplier<String> supplier;
  private volatile @Nullable String message;

  /** Creates a reason with a fixed message. */
  public Reason(ReasonCode code, String message) {
    this.code = Objects.requireNonNull(code, "code");
    this.message = Objects.requireNonNull(message, "message");
  }

  private Reason(ReasonCode code, Supplier<String> supplier) {
    this.code = code;
    this.supplier = supplier;
  }

  /** A reason whose message is built on first use; {@code message} must be pure. */
  static Reason lazy(ReasonCode code, Supplier<String> message) {
    return new Reason(code, message);
  }

  /** Returns the code; its {@link ReasonCode#wireName()} is the string in audit records. */
  public ReasonCode code() {
    return code;
  }

  public String message() {
    String m = message;
    if (m == null) {
      Supplier<String> s = supplier;
      m = s == null ? "" : s.get();
      message = m;
      supplier = null;
    }
    return m;
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Reason && ((Reason) o).code == code && ((Reason) o).message().equals(message());
  }

  @Override
  public int hashCode() {
    return code.hashCode() * 31 + message().hashCode();
  }

  @Override
  public String toString() {
    return code + ": " + message();
  }
}
