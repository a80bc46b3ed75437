package io.shulian.core.envelope;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.internal.crypto.KeyDecapsulation;
import io.shulian.core.keys.KeyAlgorithm;
import io.shulian.core.keys.KeyId;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.SenderTrust;
import io.shulian.core.trust.TrustException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The header checks both encodings share: the outer header's key management and content cipher
 * are our suite's and the envelope is encrypted to our key; the signature algorithm is allowed in
 * our suite, the claimed signer is trusted now and its key fits the algorithm; and the verified
 * header names us as receiver and is within its validity window.
 */
final class HeaderChecks {
  private final PartyIdentity identity;
  private final KeyDecapsulation decrypter;
  private final SenderTrust trust;
  private final Duration skew;
  private final Duration maxLifetime;

  HeaderChecks(PartyIdentity identity, KeyDecapsulation decrypter, SenderTrust trust, Duration skew,
      Duration maxLifetime) {
    this.identity = identity;
    this.decrypter = decrypter;
    this.trust = trust;
    this.skew = skew;
    this.maxLifetime = maxLifetime;
  }

  /**
   * Checks the outer header's {@code alg}, {@code enc} and recipient {@code kid}.
   *
   * @param layer how messages name the header, e.g. "JWE" or "framed"
   */
  void forUs(String layer, String alg, String enc, String kid) throws EnvelopeException {
    Suite suite = identity.suite();
    if (!decrypter.accepts(alg)) {
      throw new DisallowedAlgorithmException(layer + " alg '" + JoseCodec.safe(alg) + "' is not allowed for a "
          + suite + " recipient (allowed: " + decrypter.joseAlgorithm() + ")");
    }
    String allowedEnc = decrypter.contentCipher().joseName();
    if (!allowedEnc.equals(enc)) {
      throw new DisallowedAlgorithmException(layer + " enc '" + JoseCodec.safe(enc) + "' is not allowed for a "
          + suite + " recipient (allowed: " + allowedEnc + ")");
    }
    String ourKid = identity.encryptionCertificate().keyId().value();
    if (!ourKid.equals(kid)) {
      throw new WrongReceiverException("envelope is encrypted to key " + JoseCodec.safe(kid)
          + ", not to our encryption key " + ourKid);
    }
  }

  /**
   * Returns the trusted certificate of the header's signer ({@code kid}, {@code iss}).
   *
   * @param layer how messages name the header, e.g. "JWS" or "framed signature"
   * @param algs the signature algorithms each suite allows in this encoding
   * @param keyOf the key algorithm each signature algorithm needs
   */
  PartyCertificate trustedSigner(ObjectNode h, String layer, String signerLabel, Map<Suite, Set<String>> algs,
      Map<String, KeyAlgorithm> keyOf, Instant now) throws EnvelopeException {
    Suite suite = identity.suite();
    String sigAlg = JoseCodec.text(h, "alg");
    if (!algs.getOrDefault(suite, Set.of()).contains(sigAlg)) {
      throw new DisallowedAlgorithmException(layer + " alg '" + JoseCodec.safe(sigAlg) + "' is not allowed in the "
          + suite + " suite (allowed: " + algs.get(suite) + ")");
    }
    KeyId signerKid;
    PartyId claimedSender;
    try {
      signerKid = KeyId.parse(JoseCodec.text(h, "kid"));
      claimedSender = PartyId.parse(JoseCodec.text(h, "iss"));
    } catch (IllegalArgumentException e) {
      throw new MalformedEnvelopeException(signerLabel + ": " + e.getMessage());
    }
    PartyCertificate signer;
    try {
      signer = trust.signer(signerKid, claimedSender, now);
    } catch (TrustException e) {
      throw new UntrustedSenderException("sender " + claimedSender + " is not trusted (" + e.code() + "): "
          + e.getMessage(), e);
    }
    if (signer.algorithm() != keyOf.get(sigAlg)) {
      throw new DisallowedAlgorithmException(layer + " alg '" + sigAlg + "' does not match the signer's "
          + signer.algorithm() + " key");
    }
    return signer;
  }

  /**
   * Checks that a verified header's sender is the party the caller expects (null: any trusted
   * sender). Comes after the signature and before the replay cache, so that an envelope delivered by
   * someone else does not use up its replay slot.
   */
  static void fromExpectedSender(EnvelopeHeader header, @Nullable PartyId expected) throws SenderMismatchException {
    if (expected != null && !header.sender().equals(expected)) {
      throw new SenderMismatchException("envelope " + header.id() + " is from " + header.sender() + ", but "
          + expected + " delivered it", header);
    }
  }

  /** Checks that {@code header} is addressed to us and valid at {@code now} within the allowed skew and lifetime. */
  void addressedAndTimely(EnvelopeHeader header, Instant now) throws EnvelopeException {
    if (!header.receiver().equals(identity.party())) {
      throw new WrongReceiverException("envelope is addressed to " + header.receiver() + ", not to us ("
          + identity.party() + ")");
    }
    if (header.issuedAt().isAfter(now.plus(skew))) {
      throw new EnvelopeNotYetValidException("envelope issued at " + header.issuedAt() + ", in the future (now "
          + now + ", allowed skew " + skew + ")");
    }
    if (header.expiresAt().isBefore(now.minus(skew))) {
      throw new EnvelopeExpiredException("envelope expired at " + header.expiresAt() + " (now " + now
          + ", allowed skew " + skew + ")");
    }
    if (Duration.between(header.issuedAt(), header.expiresAt()).compareTo(maxLifetime) > 0) {
      throw new EnvelopeExpiredException("envelope lifetime is longer than the allowed " + maxLifetime);
    }
  }
}
