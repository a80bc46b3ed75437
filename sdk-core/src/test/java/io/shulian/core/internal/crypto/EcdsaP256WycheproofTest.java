package io.shulian.core.internal.crypto;

import org.junit.jupiter.api.Test;

/**
 * C2SP/wycheproof ecdsa_secp256r1_sha256_p1363_test.json (r||s signatures, as JOSE ES256) through
 * {@link KeyCodec#publicKey} and {@link EcdsaP256Keys.Verify}. Includes the r = 0 / s = 0 cases
 * of CVE-2022-21449.
 */
class EcdsaP256WycheproofTest {

  @Test
  void verify_wycheproofP1363Vectors_matchExpectedResults() {
    Wycheproof file = Wycheproof.load("ecdsa_secp256r1_sha256_p1363_test.json");
    VectorTally tally = new VectorTally(file.file);
    for (Wycheproof.Case c : file.cases) {
      if (!"SHA-256".equals(c.groupText("sha"))) {
        tally.skipped(c, "hash " + c.groupText("sha") + " (ES256 is SHA-256 only)");
        continue;
      }
      Verifier verifier;
      try {
        // The production path: a SubjectPublicKeyInfo (as in a certificate) moved onto BC's
        // custom P-256 curve by KeyCodec.
        PublicKeyHandle key = KeyCodec.publicKey(c.groupHex("publicKeyDer"));
        verifier = key.verifier(Sm2Keys.DEFAULT_USER_ID);
      } catch (IllegalArgumentException e) {
        tally.fail(c, "public key rejected: " + e.getMessage());
        continue;
      }
      if (!(verifier instanceof EcdsaP256Keys.Verify)) {
        tally.fail(c, "key decoded to " + verifier.getClass().getSimpleName());
        continue;
      }
      byte[] msg = c.hex("msg");
      byte[] sig = c.hex("sig");
      boolean ok;
      try {
        ok = verifier.verify(msg, 0, msg.length, sig);
      } catch (RuntimeException e) {
        tally.fail(c, "verify threw " + e);
        continue;
      }
      switch (c.result()) {
        case VALID:
          if (!ok) {
            tally.fail(c, "valid signature rejected");
          }
          break;
        case INVALID:
          if (ok) {
            tally.fail(c, "invalid signature accepted");
          }
          break;
        default:
          tally.note("acceptable signature " + (ok ? "accepted" : "rejected"));
      }
      tally.ran(c);
    }
    tally.assertAllPassed();
  }
}
