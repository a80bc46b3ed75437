package io.shulian.core.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Which declared endpoint of a resource a request is for: the one whose method is the request's
 * and whose template fits the confined target; otherwise why none is (no template fits the path,
 * or templates fit but not with this method). Only declared pairs match: a resource that declares
 * no endpoint matches nothing.
 *
 * <p>When templates of the request's method overlap ({@code /{id}} and {@code /all}), the most
 * specific one wins: comparing segments from the left, a literal beats a variable. Immutable.
 */
public final class EndpointMatch {
  /** The outcome of matching. */
  public enum Result {
    /** A declared endpoint fits method and path. */
    MATCHED,
    /** Some template fits the path, but none is declared for this method. */
    METHOD_NOT_ALLOWED,
    /** No template of the resource fits the path. */
    UNKNOWN_ENDPOINT
  }

  private final Result result;
  private final @Nullable Endpoint endpoint;
  private final List<String> allowedMethods;

  private EndpointMatch(Result result, @Nullable Endpoint endpoint, List<String> allowedMethods) {
    this.result = result;
    this.endpoint = endpoint;
    this.allowedMethods = List.copyOf(allowedMethods);
  }

  /**
   * Matches a request against the endpoints a resource declares.
   *
   * @param method the request method as received (compared exactly: {@code get} is not {@code GET})
   */
  public static EndpointMatch find(List<Endpoint> endpoints, String method, RequestTarget target) {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(target, "target");
    Endpoint best = null;
    List<String> allowed = new ArrayList<>();
    for (Endpoint e : endpoints) {
      if (!e.matchesPath(target)) {
        continue;
      }
      if (!allowed.contains(e.method())) {
        allowed.add(e.method());
      }
      if (e.method().equals(method) && (best == null || moreSpecific(e, best))) {
        best = e;
      }
    }
    allowed.sort((a, b) -> Integer.compare(Endpoint.METHODS.indexOf(a), Endpoint.METHODS.indexOf(b)));
    if (best != null) {
      return new EndpointMatch(Result.MATCHED, best, allowed);
    }
    return new EndpointMatch(allowed.isEmpty() ? Result.UNKNOWN_ENDPOINT : Result.METHOD_NOT_ALLOWED, null, allowed);
  }

  /** Literal before variable, from the left; templates that fit one path have equal length. */
  private static boolean moreSpecific(Endpoint a, Endpoint b) {
    List<String> x = a.templateSegments();
    List<String> y = b.templateSegments();
    for (int i = 0; i < x.size() && i < y.size(); i++) {
      boolean xv = x.get(i).charAt(0) == '{';
      boolean yv = y.get(i).charAt(0) == '{';
      if (xv != yv) {
        return !xv;
      }
    }
    return false;
  }

  public Result result() {
    return result;
  }

  public boolean matched() {
    return result == Result.MATCHED;
  }

  /** The endpoint that matched; empty unless {@link #matched()}. */
  public Optional<Endpoint> endpoint() {
    return Optional.ofNullable(endpoint);
  }

  /**
   * The methods declared for templates that fit the path, in the order GET, POST, PUT, PATCH,
   * DELETE (the {@code Allow} header of a 405); empty when no template fits.
   */
  public List<String> allowedMethods() {
    return allowedMethods;
  }

  @Override
  public String toString() {
    return "EndpointMatch[" + result + (endpoint == null ? "" : " " + endpoint) + " allow=" + allowedMethods + "]";
  }
}
