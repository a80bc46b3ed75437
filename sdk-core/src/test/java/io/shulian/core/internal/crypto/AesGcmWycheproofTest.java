package io.shulian.core.internal.crypto;

import org.junit.jupiter.api.Test;

/** C2SP/wycheproof aes_gcm_test.json through {@link ContentCipher#A256GCM}. */
class AesGcmWycheproofTest {

  @Test
  void a256gcm_wycheproofVectors_matchExpectedResults() {
    AeadVectors.run("aes_gcm_test.json", ContentCipher.A256GCM);
  }
}
