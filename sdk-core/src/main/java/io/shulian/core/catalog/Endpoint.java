package io.shulian.core.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A provider endpoint of a resource: an HTTP method, a path template relative to the resource
 * (what follows {@code /exchange/<resource>} on the consumer gateway, and what the provider
 * gateway appends to the resource's backend URL), and optionally the action it serves.
 *
 * <p>A template is {@code /} or one or more {@code /}-separated segments, each a literal of
 * letters, digits and {@code . _ ~ -} (not {@code .} or {@code ..}), or a variable {@code {name}}
 * that matches exactly one non-empty segment. Literals match the segment as decoded once (see
 * {@link RequestTarget#segments()}), case-sensitively.
 *
 * <p>Actions: {@code GET} serves the read the consumer asks for ({@code query} by default) unless
 * the endpoint names one ({@code export} for a bulk download, say); {@code POST}, {@code PUT},
 * {@code PATCH} and {@code DELETE} always need {@code write}, which only a policy rule naming it
 * permits.
 *
 * @param action the one action this endpoint serves, or null for the method's default
 */
public record Endpoint(String method, String pathTemplate, @Nullable String action) {
  /** The methods an endpoint may declare. */
  public static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
  /** The action every write method needs. */
  public static final String WRITE = "write";
  /** The actions that read (the policy's action wire names other than {@code write}). */
  public static final List<String> READ_ACTIONS = List.of("query", "subscribe", "export", "return-flow");
  /** The action of a {@code GET} whose endpoint names none and whose consumer asks for none. */
  public static final String DEFAULT_READ = "query";

  private static final Pattern LITERAL = Pattern.compile("[A-Za-z0-9._~-]{1,128}");
  private static final Pattern VARIABLE = Pattern.compile("\\{[A-Za-z_][A-Za-z0-9_]{0,63}\\}");
  static final int MAX_TEMPLATE = 256;

  /**
   * @throws IllegalArgumentException naming the method, template or action that is not allowed
   */
  public Endpoint {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(pathTemplate, "pathTemplate");
    if (!METHODS.contains(method)) {
      throw new IllegalArgumentException("'" + method + "' is not one of " + String.join(", ", METHODS));
    }
    checkTemplate(pathTemplate);
    checkAction(method, action);
  }

  static void checkAction(String method, @Nullable String action) {
    if (action == null) {
      return;
    }
    if (isWrite(method) && !action.equals(WRITE)) {
      throw new IllegalArgumentException("a " + method + " endpoint writes: its action can only be '" + WRITE + "'");
    }
    if (!isWrite(method) && !READ_ACTIONS.contains(action)) {
      throw new IllegalArgumentException("'" + clip(action) + "' is not one of " + String.join(", ", READ_ACTIONS)
          + " (a GET endpoint does not write)");
    }
  }

  /** An endpoint with its method's default action. */
  public Endpoint(String method, String pathTemplate) {
    this(method, pathTemplate, null);
  }

  static void checkTemplate(String t) {
    if (t.length() > MAX_TEMPLATE || t.isEmpty() || t.charAt(0) != '/') {
      throw new IllegalArgumentException("'" + clip(t) + "' is not a path template (starts with '/', at most "
          + MAX_TEMPLATE + " characters)");
    }
    if (t.equals("/")) {
      return;
    }
    for (String seg : t.substring(1).split("/", -1)) {
      if (seg.isEmpty()) {
        throw new IllegalArgumentException("'" + clip(t) + "' has an empty segment (no '//' and no trailing '/')");
      }
      if (seg.equals(".") || seg.equals("..")) {
        throw new IllegalArgumentException("'" + clip(t) + "' has a dot segment");
      }
      if (!LITERAL.matcher(seg).matches() && !VARIABLE.matcher(seg).matches()) {
        throw new IllegalArgumentException("'" + clip(t) + "' is not a path template: segment '" + clip(seg)
            + "' is neither a literal (letters, digits, '.', '_', '~', '-') nor a whole-segment variable {name}");
      }
    }
  }

  private static String clip(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "…" : s;
  }

  /** Returns true for POST, PUT, PATCH and DELETE. */
  public static boolean isWrite(String method) {
    return !method.equals("GET") && METHODS.contains(method);
  }

  /** Returns true if this endpoint changes data at the provider. */
  public boolean writes() {
    return isWrite(method);
  }

  /** The template's segments; empty for {@code /}. */
  List<String> templateSegments() {
    if (pathTemplate.equals("/")) {
      return List.of();
    }
    return List.of(pathTemplate.substring(1).split("/", -1));
  }

  /** Returns true if the target's path (decoded segments) fits this template; the method is not compared. */
  public boolean matchesPath(RequestTarget target) {
    List<String> t = templateSegments();
    List<String> s = target.segments();
    if (t.size() != s.size()) {
      return false;
    }
    for (int i = 0; i < t.size(); i++) {
      String ts = t.get(i);
      if (ts.charAt(0) == '{') {
        if (s.get(i).isEmpty()) {
          return false;
        }
      } else if (!ts.equals(s.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** The template with variable names erased: two endpoints of one method and shape match the same paths. */
  String shape() {
    List<String> out = new ArrayList<>();
    for (String seg : templateSegments()) {
      out.add(seg.charAt(0) == '{' ? "{}" : seg);
    }
    return method + " /" + String.join("/", out);
  }

  /**
   * Returns the action a request to this endpoint is decided as, or null if the consumer asked for
   * an action this endpoint does not serve (a write on a GET, a read on a write, another read than
   * the one the endpoint names).
   *
   * @param requested the action the consumer asked for, or null if it asked for none
   */
  public @Nullable String actionFor(@Nullable String requested) {
    if (writes()) {
      return requested == null || requested.equals(WRITE) ? WRITE : null;
    }
    if (action != null) {
      return requested == null || requested.equals(action) ? action : null;
    }
    if (requested == null) {
      return DEFAULT_READ;
    }
    return requested.equals(WRITE) ? null : requested;
  }
}
