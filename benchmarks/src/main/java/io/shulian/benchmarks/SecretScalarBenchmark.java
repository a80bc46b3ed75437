package io.shulian.benchmarks;

import io.shulian.core.testing.Primitives;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithID;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.PlainDSAEncoding;
import org.bouncycastle.crypto.signers.SM2Signer;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.bouncycastle.util.BigIntegers;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The price of handling secret scalars in constant time (issue 12, finding 8), each path next to
 * the variable-time one it replaced, in the same run (microseconds per operation, one thread):
 *
 * <ul>
 *   <li>[d]Q on P-256 or sm2p256v1. {@code receiver-wnaf} is the old ECDH
 *       receiver ({@code ECPoint.multiply}, wNAF, on a new sender point each time); {@code
 *       receiver-ct} the new one (Bouncy Castle's {@code ECAlgorithms.multiplySecret}); {@code
 *       sender-wnaf} the old P-256 sender ([e]Q_recipient by wNAF); {@code sender-comb} the new
 *       one (fixed-point comb, table cached on the recipient's point).
 *   <li>a signature over 1 KiB with Bouncy Castle's signer ({@code sign-bc}: BigInteger nonce and
 *       arithmetic, what Shulian used before) or Shulian's constant-time signer ({@code
 *       sign-shulian}).
 * </ul>
 *
 * <p>The gateway reuses ECDH-ES ephemeral keys, so the receiver's multiplication runs once per new
 * sender window (and per envelope only without reuse); signing runs once per envelope, or once per
 * batch with batch signatures.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar SecretScalarBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 4, time = 3)
@Measurement(iterations = 5, time = 3)
public class SecretScalarBenchmark {
  @Param({"P256", "SM2"})
  public String curve;

  @Param({"receiver-wnaf", "receiver-ct", "sender-wnaf", "sender-comb", "sign-bc", "sign-shulian"})
  public String op;

  private static final int POINTS = 256;
  private final SecureRandom random = new SecureRandom();
  private ECDomainParameters dom;
  private BigInteger d;
  private ECPoint[] senderPoints;
  private ECPoint recipient;
  private int next;
  private byte[] message;
  private @Nullable SM2Signer bcSm2;
  private @Nullable ECDSASigner bcEcdsa;
  private Primitives.RawSigner shulian;

  @Setup
  public void setUp() throws Exception {
    boolean sm2 = curve.equals("SM2");
    X9ECParameters x9 = CustomNamedCurves.getByOID(sm2 ? GMObjectIdentifiers.sm2p256v1 : SECObjectIdentifiers.secp256r1);
    dom = new ECNamedDomainParameters(sm2 ? GMObjectIdentifiers.sm2p256v1 : SECObjectIdentifiers.secp256r1, x9);
    d = BigIntegers.createRandomInRange(BigInteger.ONE, dom.getN().subtract(BigInteger.TWO), random);
    FixedPointCombMultiplier comb = new FixedPointCombMultiplier();
    senderPoints = new ECPoint[POINTS];
    for (int i = 0; i < POINTS; i++) {
      // distinct objects, as decoded from each sender's epk: no table is cached on them
      ECPoint p = comb.multiply(dom.getG(), BigIntegers.createRandomInRange(BigInteger.ONE, dom.getN(), random)).normalize();
      senderPoints[i] = dom.getCurve().decodePoint(p.getEncoded(false));
    }
    recipient = dom.getCurve().decodePoint(senderPoints[0].getEncoded(false));
    message = new byte[1024];
    random.nextBytes(message);
    ECPrivateKeyParameters key = new ECPrivateKeyParameters(d, dom);
    byte[] pkcs8 = PrivateKeyInfoFactory.createPrivateKeyInfo(key).getEncoded();
    shulian = Primitives.signer(pkcs8, "1234567812345678".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    if (sm2) {
      bcSm2 = new SM2Signer(PlainDSAEncoding.INSTANCE, new SM3Digest());
      bcSm2.init(true, new ParametersWithID(new ParametersWithRandom(key, random),
          "1234567812345678".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    } else {
      bcEcdsa = new ECDSASigner();
      bcEcdsa.init(true, new ParametersWithRandom(key, random));
    }
  }

  @Benchmark
  public Object run() throws Exception {
    switch (op) {
      case "receiver-wnaf":
        return senderPoints[next++ & (POINTS - 1)].multiply(d).normalize();
      case "receiver-ct":
        return ECAlgorithms.multiplySecret(senderPoints[next++ & (POINTS - 1)], d, dom.getN()).normalize();
      case "sender-wnaf":
        return recipient.multiply(d).normalize();
      case "sender-comb":
        return new FixedPointCombMultiplier().multiply(recipient, d).normalize();
      case "sign-shulian":
        return shulian.sign(message, 0, message.length);
      case "sign-bc":
        if (bcSm2 != null) {
          bcSm2.update(message, 0, message.length);
          return bcSm2.generateSignature();
        }
        return Objects.requireNonNull(bcEcdsa).generateSignature(java.security.MessageDigest.getInstance("SHA-256").digest(message));
      default:
        throw new IllegalStateException(op);
    }
  }
}
