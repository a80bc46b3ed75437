package io.shulian.hub.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * An operator's console password as an Argon2id hash in PHC string form:
 * {@code $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>} (salt and hash unpadded
 * base64). Hashes weaker than {@value #MIN_MEMORY_KIB} KiB (19 MiB) of memory are refused when the
 * configuration is read; hashes asking for more than {@value #MAX_MEMORY_KIB} KiB too, so a
 * configuration cannot make each log-in allocate unbounded memory. Immutable.
 */
public final class PasswordHash {
  /** The least memory a hash may use: 19 MiB (the OWASP minimum for Argon2id). */
  public static final int MIN_MEMORY_KIB = 19 * 1024;
  /** The most memory a hash may use: 256 MiB. */
  public static final int MAX_MEMORY_KIB = 256 * 1024;
  /** Parameters of new hashes: 19 MiB, 2 passes, 1 lane. */
  public static final int DEFAULT_MEMORY_KIB = MIN_MEMORY_KIB;
  public static final int DEFAULT_ITERATIONS = 2;
  public static final int DEFAULT_PARALLELISM = 1;
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final Pattern PHC = Pattern.compile(
      // decimal numbers without leading zeros, so one hash has one spelling
      "\\$argon2id\\$v=19\\$m=(0|[1-9][0-9]{0,6}),t=(0|[1-9][0-9]?),p=(0|[1-9][0-9]?)\\$([A-Za-z0-9+/]{11,64})"
          + "\\$([A-Za-z0-9+/]{22,128})");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final int memoryKib;
  private final int iterations;
  private final int parallelism;
  private final byte[] salt;
  private final byte[] hash;

  private PasswordHash(int memoryKib, int iterations, int parallelism, byte[] salt, byte[] hash) {
    this.memoryKib = memoryKib;
    this.iterations = iterations;
    this.parallelism = parallelism;
    this.salt = salt;
    this.hash = hash;
  }

  /**
   * Parses a PHC string.
   *
   * @throws IllegalArgumentException if it is not an Argon2id (version 19) hash within the bounds;
   *     the message never repeats the string
   */
  public static PasswordHash parse(String phc) {
    Matcher m = PHC.matcher(phc == null ? "" : phc.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("passwordHash must be an Argon2id PHC string "
          + "$argon2id$v=19$m=…,t=…,p=…$salt$hash (shulian hub passwd prints one)");
    }
    int mem = Integer.parseInt(m.group(1));
    int t = Integer.parseInt(m.group(2));
    int p = Integer.parseInt(m.group(3));
    if (mem < MIN_MEMORY_KIB || mem > MAX_MEMORY_KIB || t < 1 || t > 10 || p < 1 || p > 16 || mem < 8 * p) {
      throw new IllegalArgumentException("passwordHash: memory must be " + MIN_MEMORY_KIB + " to " + MAX_MEMORY_KIB
          + " KiB, passes 1 to 10, lanes 1 to 16");
    }
    byte[] salt;
    byte[] hash;
    try {
      // Java's decoder takes unpadded input
      salt = Base64.getDecoder().decode(m.group(4));
      hash = Base64.getDecoder().decode(m.group(5));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("passwordHash: salt and hash must be base64");
    }
    // canonical base64 only (unused bits zero, as the PHC string format requires): the decoder
    // would take "…hbHR" for "…hbHQ", a second spelling of the same hash
    Base64.Encoder e = Base64.getEncoder().withoutPadding();
    if (!e.encodeToString(salt).equals(m.group(4)) || !e.encodeToString(hash).equals(m.group(5))) {
      throw new IllegalArgumentException("passwordHash: salt and hash must be canonical unpadded base64");
    }
    if (salt.length < 8 || hash.length < 16) {
      throw new IllegalArgumentException("passwordHash: salt at least 8 bytes and hash at least 16 bytes");
    }
    return new PasswordHash(mem, t, p, salt, hash);
  }

  /** Hashes {@code password} with a fresh random salt and the default parameters. */
  public static PasswordHash create(char[] password) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    return new PasswordHash(DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM, salt,
        derive(password, salt, DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM, HASH_BYTES));
  }

  /** A hash no password matches, with the default parameters: verifying against it takes as long as against a real one. */
  static PasswordHash unmatchable() {
    byte[] salt = new byte[SALT_BYTES];
    byte[] hash = new byte[HASH_BYTES];
    RANDOM.nextBytes(salt);
    RANDOM.nextBytes(hash);
    return new PasswordHash(DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM, salt, hash);
  }

  /**
   * A hash no password matches, with {@code model}'s parameters, salt and hash lengths: verifying
   * against it takes the same work as verifying against {@code model}.
   */
  static PasswordHash unmatchableLike(PasswordHash model) {
    byte[] salt = new byte[model.salt.length];
    byte[] hash = new byte[model.hash.length];
    RANDOM.nextBytes(salt);
    RANDOM.nextBytes(hash);
    return new PasswordHash(model.memoryKib, model.iterations, model.parallelism, salt, hash);
  }

  /** Memory × passes: orders hashes by the work one verification takes. */
  long work() {
    return (long) memoryKib * iterations;
  }

  /** The cost parameters and lengths, {@code m=…,t=…,p=…,salt=…,hash=…}: what decides the work of {@link #verify}. */
  String cost() {
    return "m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + ",salt=" + salt.length + ",hash=" + hash.length;
  }

  /** Whether {@code password} matches, compared in constant time. */
  public boolean verify(char[] password) {
    byte[] d = derive(password, salt, memoryKib, iterations, parallelism, hash.length);
    try {
      return MessageDigest.isEqual(d, hash);
    } finally {
      Arrays.fill(d, (byte) 0);
    }
  }

  /** The PHC string. */
  public String phc() {
    Base64.Encoder e = Base64.getEncoder().withoutPadding();
    return "$argon2id$v=19$m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + "$" + e.encodeToString(salt)
        + "$" + e.encodeToString(hash);
  }

  @Override
  public String toString() {
    return "PasswordHash[argon2id m=" + memoryKib + " t=" + iterations + " p=" + parallelism + "]";
  }

  private static byte[] derive(char[] password, byte[] salt, int mem, int t, int p, int length) {
    Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13).withSalt(salt).withMemoryAsKB(mem).withIterations(t)
        .withParallelism(p).build();
    Argon2BytesGenerator g = new Argon2BytesGenerator();
    g.init(params);
    java.nio.ByteBuffer b = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(password));
    byte[] pw = new byte[b.remaining()];
    b.get(pw);
    if (b.hasArray()) {
      Arrays.fill(b.array(), (byte) 0);
    }
    byte[] out = new byte[length];
    try {
      g.generateBytes(pw, out);
      return out;
    } finally {
      Arrays.fill(pw, (byte) 0);
    }
  }
}
