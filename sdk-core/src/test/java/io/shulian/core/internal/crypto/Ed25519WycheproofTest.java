package io.shulian.core.internal.crypto;

import org.junit.jupiter.api.Test;

/** C2SP/wycheproof ed25519_test.json through {@link Ed25519Keys.Verify}. */
class Ed25519WycheproofTest {

  @Test
  void verify_wycheproofVectors_matchExpectedResults() {
    Wycheproof file = Wycheproof.load("ed25519_test.json");
    VectorTally tally = new VectorTally(file.file);
    for (Wycheproof.Case c : file.cases) {
      byte[] pk = c.groupHex("publicKey", "pk");
      byte[] msg = c.hex("msg");
      byte[] sig = c.hex("sig");
      Ed25519Keys.Verify verifier;
      try {
        verifier = new Ed25519Keys.Verify(pk);
      } catch (IllegalArgumentException e) {
        // A key we refuse can verify nothing: right for invalid vectors only.
        if (c.result() == Wycheproof.Result.VALID) {
          tally.fail(c, "public key rejected: " + e.getMessage());
        } else {
          tally.note("public key rejected at construction");
        }
        tally.ran(c);
        continue;
      }
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
