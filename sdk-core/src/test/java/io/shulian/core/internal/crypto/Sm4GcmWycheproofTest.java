package io.shulian.core.internal.crypto;

import org.junit.jupiter.api.Test;

/** C2SP/wycheproof sm4_gcm_test.json through {@link ContentCipher#SM4GCM}. */
class Sm4GcmWycheproofTest {

  @Test
  void sm4gcm_wycheproofVectors_matchExpectedResults() {
    AeadVectors.run("sm4_gcm_test.json", ContentCipher.SM4GCM);
  }
}
