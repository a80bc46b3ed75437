package io.shulian.core.internal.crypto;

import io.shulian.core.keys.KeyAlgorithm;
import java.math.BigInteger;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECMultiplier;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.custom.gm.SM2P256V1Curve;
import org.bouncycastle.math.ec.custom.sec.SecP256R1Curve;

/**
 * P-256 and sm2p256v1 exactly as Bouncy Castle implements them, except that the curve's default
 * multiplier (wNAF: variable time, its table index and run of doublings follow the scalar's bits)
 * refuses any scalar longer than a cofactor. {@link ECPoint#multiply} uses that multiplier; the
 * fixed-point comb and the constant-time multiplier do not. Code that runs on these domain
 * parameters without failing therefore never hands a secret-sized scalar to a variable-time
 * routine — a structural check, not a timing measurement.
 */
final class GuardedCurves {
  /** Longest scalar the guarded default multiplier accepts: a cofactor or a tiny public constant. */
  static final int MAX_PUBLIC_SCALAR_BITS = 8;

  private GuardedCurves() {}

  /** Thrown (as an unchecked error) when a secret-sized scalar reaches the default multiplier. */
  static final class VariableTimeMultiplication extends AssertionError {
    private static final long serialVersionUID = 1L;

    VariableTimeMultiplication(BigInteger k) {
      super("a " + k.bitLength() + "-bit scalar reached the curve's variable-time default multiplier");
    }
  }

  static ECDomainParameters domain(KeyAlgorithm alg) {
    ECDomainParameters std = KeyCodec.domain(alg);
    ECCurve curve = alg == KeyAlgorithm.SM2 ? new GuardedSm2() : new GuardedP256();
    ECPoint g = curve.importPoint(std.getG()).normalize();
    return new ECDomainParameters(curve, g, std.getN(), std.getH());
  }

  private static ECMultiplier guard(ECMultiplier inner) {
    return (p, k) -> {
      if (k.bitLength() > MAX_PUBLIC_SCALAR_BITS) {
        throw new VariableTimeMultiplication(k);
      }
      return inner.multiply(p, k);
    };
  }

  private static final class GuardedP256 extends SecP256R1Curve {
    @Override
    protected ECMultiplier createDefaultMultiplier() {
      return guard(super.createDefaultMultiplier());
    }

    @Override
    protected ECCurve cloneCurve() {
      return new GuardedP256();
    }
  }

  private static final class GuardedSm2 extends SM2P256V1Curve {
    @Override
    protected ECMultiplier createDefaultMultiplier() {
      return guard(super.createDefaultMultiplier());
    }

    @Override
    protected ECCurve cloneCurve() {
      return new GuardedSm2();
    }
  }
}
