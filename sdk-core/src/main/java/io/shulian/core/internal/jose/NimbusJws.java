package io.shulian.core.internal.jose;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.impl.BaseJWSProvider;
import com.nimbusds.jose.util.Base64URL;
import io.shulian.core.internal.crypto.Signer;
import io.shulian.core.internal.crypto.Verifier;
import java.util.Set;

/**
 * Nimbus {@link JWSSigner} and {@link JWSVerifier} over Shulian's own signers and verifiers, for
 * exactly one algorithm each: the one adapter that grant tokens and city bundles both sign and
 * verify through.
 */
public final class NimbusJws {
  private NimbusJws() {}

  /** Returns a Nimbus signer for {@code signer}'s algorithm only. */
  public static JWSSigner signer(Signer signer) {
    return new SignerAdapter(signer);
  }

  /**
   * Returns a Nimbus verifier for {@code verifier}'s algorithm only; a header of another algorithm
   * or with {@code crit} does not verify.
   */
  public static JWSVerifier verifier(Verifier verifier) {
    return new VerifierAdapter(verifier);
  }

  private static final class SignerAdapter extends BaseJWSProvider implements JWSSigner {
    private final Signer signer;

    SignerAdapter(Signer signer) {
      super(Set.of(new JWSAlgorithm(signer.joseAlgorithm())));
      this.signer = signer;
    }

    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
      if (!header.getAlgorithm().getName().equals(signer.joseAlgorithm())) {
        throw new JOSEException("header alg is not the signer's");
      }
      return Base64URL.encode(signer.sign(signingInput, 0, signingInput.length));
    }
  }

  private static final class VerifierAdapter extends BaseJWSProvider implements JWSVerifier {
    private final Verifier verifier;

    VerifierAdapter(Verifier verifier) {
      super(Set.of(new JWSAlgorithm(verifier.joseAlgorithm())));
      this.verifier = verifier;
    }

    @Override
    public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature) {
      if (!header.getAlgorithm().getName().equals(verifier.joseAlgorithm()) || header.getCriticalParams() != null) {
        return false;
      }
      return verifier.verify(signingInput, 0, signingInput.length, signature.decode());
    }
  }
}
