package io.shulian.core.catalog;

import io.shulian.core.ErrorCode;
import io.shulian.core.ShulianException;
import io.shulian.core.internal.access.CoreAccess;
import io.shulian.core.internal.crypto.Verifier;
import io.shulian.core.internal.jwt.SignedToken;
import io.shulian.core.keys.KeyId;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.SenderTrust;
import io.shulian.core.trust.TrustException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A department's signed request to change the city catalog: register (add or change) one resource
 * of its own, or withdraw one. A compact JWS ({@code typ} {@value #TOKEN_TYPE}) signed with the
 * department's signing key, like a grant; the claims are {@code iss} (the department), {@code jti},
 * {@code iat}, {@code act} ({@code register} or {@code withdraw}) and either {@code doc} (the
 * resource document exactly as written, YAML or JSON) or {@code res} (the code to withdraw).
 *
 * <p>{@link #verify} checks the header, the signer's certificate from {@link SenderTrust} by
 * {@code kid} (it must belong to {@code iss}), the signature with exactly that key's algorithm, the
 * claims and the age. Whether the resource is the signer's own and valid is the catalog's business
 * ({@link Catalog#withResource}). Immutable.
 */
public final class CatalogSubmission {
  /** The JWS {@code typ} of a submission. */
  public static final String TOKEN_TYPE = "shulian-catalog-submission+jwt";
  /** Longest submission token accepted. */
  public static final int MAX_TOKEN_CHARS = 256 * 1024;
  /** How old (by {@code iat}) a submission may be when it is verified; and how far in the future. */
  public static final Duration MAX_AGE = Duration.ofHours(1);
  private static final Duration SKEW = Duration.ofMinutes(5);
  private static final List<String> CLAIMS = List.of("iss", "jti", "iat", "act", "doc", "res");

  /** What a submission asks for. */
  public enum Action {
    /** Add a resource, or replace the one with the same code. */
    REGISTER,
    /** Remove a resource. */
    WITHDRAW;

    /** The lower-case wire name. */
    public String wireName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    static @Nullable Action fromWireName(String s) {
      for (Action a : values()) {
        if (a.wireName().equals(s)) {
          return a;
        }
      }
      return null;
    }
  }

  /** A submission token was refused; the reason's name is the code. */
  public static final class SubmissionException extends ShulianException {
    private static final long serialVersionUID = 1L;

    /** Why. */
    public enum Reason implements ErrorCode {
      SUBMISSION_MALFORMED,
      SUBMISSION_UNTRUSTED,
      SUBMISSION_BAD_SIGNATURE,
      SUBMISSION_EXPIRED
    }

    public SubmissionException(Reason reason, String message) {
      super(reason, message);
    }

    public Reason reason() {
      return (Reason) errorCode();
    }
  }

  private final PartyId issuer;
  private final String id;
  private final Instant issuedAt;
  private final Action action;
  private final @Nullable String document;
  private final @Nullable String resourceCode;
  private final String token;

  private CatalogSubmission(PartyId issuer, String id, Instant issuedAt, Action action, @Nullable String document,
      @Nullable String resourceCode, String token) {
    this.issuer = issuer;
    this.id = id;
    this.issuedAt = issuedAt;
    this.action = action;
    this.document = document;
    this.resourceCode = resourceCode;
    this.token = token;
  }

  /** Signs a request to register the resource in {@code document} (one catalog resource, YAML or JSON). */
  public static String register(PartyIdentity department, byte[] document, Instant now) {
    Map<String, Object> c = claims(department, Action.REGISTER, now);
    c.put("doc", new String(document, StandardCharsets.UTF_8));
    return sign(department, c);
  }

  /** Signs a request to withdraw the resource {@code code}. */
  public static String withdraw(PartyIdentity department, String code, Instant now) {
    if (!Catalog.CODE.matcher(code).matches()) {
      throw new IllegalArgumentException("'" + code + "' is not a resource code");
    }
    Map<String, Object> c = claims(department, Action.WITHDRAW, now);
    c.put("res", code);
    return sign(department, c);
  }

  private static Map<String, Object> claims(PartyIdentity department, Action action, Instant now) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("iss", department.party().toString());
    c.put("jti", UUID.randomUUID().toString());
    c.put("iat", now.getEpochSecond());
    c.put("act", action.wireName());
    return c;
  }

  private static String sign(PartyIdentity department, Map<String, Object> c) {
    String t = SignedToken.sign(CoreAccess.keys().signingKey(department).signer(), TOKEN_TYPE,
        department.signingCertificate().keyId().value(), c);
    if (t.length() > MAX_TOKEN_CHARS) {
      throw new IllegalArgumentException("the submission is larger than " + MAX_TOKEN_CHARS + " characters once signed");
    }
    return t;
  }

  /**
   * Verifies a submission token at {@code now}.
   *
   * @throws SubmissionException SUBMISSION_MALFORMED, SUBMISSION_UNTRUSTED, SUBMISSION_BAD_SIGNATURE
   *     or SUBMISSION_EXPIRED (older than {@link #MAX_AGE} or from the future)
   */
  public static CatalogSubmission verify(String token, SenderTrust trust, Instant now) throws SubmissionException {
    Objects.requireNonNull(trust, "trust");
    if (token.length() > MAX_TOKEN_CHARS) {
      throw malformed("the submission is longer than " + MAX_TOKEN_CHARS + " characters");
    }
    SignedToken t;
    try {
      t = SignedToken.parse(token, TOKEN_TYPE, MAX_TOKEN_CHARS);
    } catch (SignedToken.TokenException e) {
      throw malformed("submission refused: " + e.getMessage());
    }
    Map<String, Object> c = t.claims();
    for (String k : c.keySet()) {
      if (!CLAIMS.contains(k)) {
        throw malformed("unknown claim '" + (k.length() > 64 ? k.substring(0, 64) : k) + "'");
      }
    }
    PartyId issuer;
    try {
      issuer = PartyId.parse(str(c, "iss"));
    } catch (IllegalArgumentException e) {
      throw malformed("claim 'iss' is not a party id");
    }
    String id = str(c, "jti");
    if (!id.matches("[A-Za-z0-9-]{1,64}")) {
      throw malformed("claim 'jti' must be 1 to 64 letters, digits or '-'");
    }
    Action action = Action.fromWireName(str(c, "act"));
    if (action == null) {
      throw malformed("claim 'act' must be register or withdraw");
    }
    String doc = action == Action.REGISTER ? str(c, "doc") : null;
    String res = action == Action.WITHDRAW ? str(c, "res") : null;
    if (action == Action.REGISTER && c.containsKey("res") || action == Action.WITHDRAW && c.containsKey("doc")) {
      throw malformed("register carries 'doc' only, withdraw 'res' only");
    }
    if (res != null && !Catalog.CODE.matcher(res).matches()) {
      throw malformed("claim 'res' is not a resource code");
    }
    Object iat = c.get("iat");
    Instant issued;
    if (iat instanceof Date) {
      issued = ((Date) iat).toInstant();
    } else if (iat instanceof Number && !(iat instanceof Double) && !(iat instanceof Float)) {
      issued = Instant.ofEpochSecond(((Number) iat).longValue());
    } else {
      throw malformed("claim 'iat' must be a time in seconds");
    }
    KeyId kid;
    try {
      kid = KeyId.parse(t.keyId());
    } catch (IllegalArgumentException e) {
      throw malformed("the submission's kid is not a key id");
    }
    PartyCertificate cert;
    try {
      cert = trust.signer(kid, issuer, now);
    } catch (TrustException e) {
      throw new SubmissionException(SubmissionException.Reason.SUBMISSION_UNTRUSTED,
          "the signer " + issuer + " is not trusted (" + e.code() + "): " + e.getMessage());
    }
    Verifier v = CoreAccess.certificates().publicKey(cert).verifier();
    if (!v.joseAlgorithm().equals(t.algorithm()) || !t.verify(v)) {
      throw new SubmissionException(SubmissionException.Reason.SUBMISSION_BAD_SIGNATURE,
          "the submission's signature of " + issuer + " (key " + kid + ") does not verify");
    }
    if (issued.isBefore(now.minus(MAX_AGE)) || issued.isAfter(now.plus(SKEW))) {
      throw new SubmissionException(SubmissionException.Reason.SUBMISSION_EXPIRED,
          "the submission was signed at " + issued + "; it must be less than " + MAX_AGE.toMinutes() + " minutes old");
    }
    return new CatalogSubmission(issuer, id, issued, action, doc, res, token);
  }

  private static SubmissionException malformed(String m) {
    return new SubmissionException(SubmissionException.Reason.SUBMISSION_MALFORMED, m);
  }

  private static String str(Map<String, Object> c, String k) throws SubmissionException {
    Object o = c.get(k);
    if (!(o instanceof String)) {
      throw malformed("claim '" + k + "' must be a string");
    }
    return (String) o;
  }

  /** The department that signed it. */
  public PartyId issuer() {
    return issuer;
  }

  /** The submission's own id ({@code jti}), unique per signed submission. */
  public String id() {
    return id;
  }

  public Instant issuedAt() {
    return issuedAt;
  }

  public Action action() {
    return action;
  }

  /** The resource document of a {@link Action#REGISTER} (UTF-8 bytes, as signed). */
  public Optional<byte[]> document() {
    return Optional.ofNullable(document).map(d -> d.getBytes(StandardCharsets.UTF_8));
  }

  /** The resource code of a {@link Action#WITHDRAW}. */
  public Optional<String> resourceCode() {
    return Optional.ofNullable(resourceCode);
  }

  /** The token as verified. */
  public String token() {
    return token;
  }

  @Override
  public String toString() {
    return "CatalogSubmission[" + action.wireName() + " by " + issuer + ", " + id + "]";
  }
}
