package io.shulian.hub.console;

import io.shulian.hub.access.Operators;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Console sessions, kept in memory (a restart logs everyone out). A session id is 256 random bits
 * (base64url), as is its CSRF token. A session ends when idle for {@code idle}, {@code absolute}
 * after its log-in, or at log-out. At most {@value #MAX_SESSIONS} live at once: past that, expired
 * ones are dropped and, if none is, a log-in is refused. Thread-safe.
 */
public final class Sessions {
  /** The session cookie: {@code __Host-} binds it to this origin, Secure and Path=/. */
  public static final String COOKIE = "__Host-shulian_session";
  static final int MAX_SESSIONS = 10_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A live session. */
  public static final class Session {
    private final String id;
    private final String csrf;
    private final Operators.Operator operator;
    private final long created;
    private volatile long lastSeen;

    Session(String id, String csrf, Operators.Operator operator, long now) {
      this.id = id;
      this.csrf = csrf;
      this.operator = operator;
      this.created = now;
      this.lastSeen = now;
    }

    public String id() {
      return id;
    }

    public String csrf() {
      return csrf;
    }

    public Operators.Operator operator() {
      return operator;
    }

    /** Whether {@code token} is this session's CSRF token (constant-time). */
    public boolean csrfMatches(String token) {
      return MessageDigest.isEqual(csrf.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          token.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
  }

  private final ConcurrentHashMap<String, Session> live = new ConcurrentHashMap<>();
  private final long idleNanos;
  private final long absoluteNanos;
  private final LongSupplier nanos;

  /** Sessions ending after {@code idle} without a request or {@code absolute} after log-in; {@code nanos} a monotonic clock. */
  public Sessions(Duration idle, Duration absolute, LongSupplier nanos) {
    if (idle.isNegative() || idle.isZero() || absolute.compareTo(idle) < 0) {
      throw new IllegalArgumentException("console: idleTimeout > 0 and absoluteTimeout >= idleTimeout");
    }
    this.idleNanos = idle.toNanos();
    this.absoluteNanos = absolute.toNanos();
    this.nanos = nanos;
  }

  /** A new session for {@code op} (a fresh id and CSRF token), or empty if too many live. */
  public Optional<Session> create(Operators.Operator op) {
    long now = nanos.getAsLong();
    if (live.size() >= MAX_SESSIONS) {
      live.values().removeIf(s -> expired(s, now));
      if (live.size() >= MAX_SESSIONS) {
        return Optional.empty();
      }
    }
    Session s = new Session(random(), random(), op, now);
    live.put(s.id, s);
    return Optional.of(s);
  }

  /** The live session with id {@code id} (and marks it used), or empty; an expired one is removed. */
  public Optional<Session> find(String id) {
    if (id.length() != 43) {
      return Optional.empty();
    }
    Session s = live.get(id);
    if (s == null) {
      return Optional.empty();
    }
    long now = nanos.getAsLong();
    if (expired(s, now)) {
      live.remove(id, s);
      return Optional.empty();
    }
    s.lastSeen = now;
    return Optional.of(s);
  }

  /** Ends the session {@code id}; returns whether it was live. */
  public boolean end(String id) {
    return live.remove(id) != null;
  }

  /** The number of sessions held (live or not yet swept). */
  public int size() {
    return live.size();
  }

  private boolean expired(Session s, long now) {
    return now - s.lastSeen >= idleNanos || now - s.created >= absoluteNanos;
  }

  private static String random() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }
}
