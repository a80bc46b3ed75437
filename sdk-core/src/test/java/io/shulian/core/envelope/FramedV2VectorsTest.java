package io.shulian.core.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.internal.crypto.KeyCodec;
import io.shulian.core.internal.crypto.Signer;
import io.shulian.core.internal.crypto.Verifier;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The framed v2 test vectors of docs/test-vectors.md ("Framed v2 signatures"): for each signature
 * algorithm, from a published private key (RFC 8032 7.1 TEST 1, RFC 6979 A.2.5, GM/T 0003.5), a
 * fixed signed header and payload: the payload digest, the complete {@code signed_v2} bytes, and a
 * signature. Ed25519 is deterministic, so its signature must come out byte for byte; ES256 and SM2
 * sign with fresh nonces, so the published signature must verify, every bit flip of it or of
 * {@code signed_v2} must not, and a fresh signature must verify too. Every hex value is also
 * looked up in docs/test-vectors.md, so the document and this test cannot drift apart.
 */
class FramedV2VectorsTest {
  static final byte[] PAYLOAD = "{\"idNumber\":\"440604199001011234\"}".getBytes(StandardCharsets.US_ASCII);

  /** alg, private key (hex), payload digest, signed_v2, signature. */
  static final String[][] VECTORS = {
    {"Ed25519", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "56fb6d2290741a92af05d13f2afdc18b1cb32bae8bab48c231361b7faef18b42",
        "7368756c69616e2d6672616d65642d763200004c7b22616c67223a2245643235353139222c226b6964223a22766563746f722d6b6964222c22747970223a227368756c69"
            + "616e2d656e76656c6f7065222c22666d74223a226672616d6564227d000000000000002156fb6d2290741a92af05d13f2afdc18b1cb32bae8bab48c231361b7faef18b42",
        "e2d9ed40da854edc8064a37136ed613dec8299877d120800e247b818d2c685b93721847d94016705c366e87a9661c850956396719c934de16b7b949982f36100"},
    {"ES256", "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
        "56fb6d2290741a92af05d13f2afdc18b1cb32bae8bab48c231361b7faef18b42",
        "7368756c69616e2d6672616d65642d763200004a7b22616c67223a224553323536222c226b6964223a22766563746f722d6b6964222c22747970223a227368756c6961"
            + "6e2d656e76656c6f7065222c22666d74223a226672616d6564227d000000000000002156fb6d2290741a92af05d13f2afdc18b1cb32bae8bab48c231361b7faef18b42",
        "753385bd4fda60412fa69115db869d6c5460a7e2595bdca3a8719ce414edd206205050a79cc165a0244f4157e7fff0c35daae35a613e20676534de8864022585"},
    {"SM2-SM3", "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8",
        "ad82601380dd0be2c8885e17167d98dad9886c1b7eb146af3434bff3f5a2a4b4",
        "7368756c69616e2d6672616d65642d763200004c7b22616c67223a22534d322d534d33222c226b6964223a22766563746f722d6b6964222c22747970223a227368756c69"
            + "616e2d656e76656c6f7065222c22666d74223a226672616d6564227d0000000000000021ad82601380dd0be2c8885e17167d98dad9886c1b7eb146af3434bff3f5a2a4b4",
        "06ca671e670f8e45718b920e6c2f9a26ce9d9dc0d22b340262e17ed93f73b6d0280af088b4038caafe84f37da4e17283452688e0bde1eb484edf2f0eda34dcec"},
  };

  static byte[] header(String alg) {
    return ("{\"alg\":\"" + alg + "\",\"kid\":\"vector-kid\",\"typ\":\"shulian-envelope\",\"fmt\":\"framed\"}")
        .getBytes(StandardCharsets.US_ASCII);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 2})
  void signedV2_publishedVector_reproducesDigestSignedBytesAndSignature(int i) throws Exception {
    String[] v = VECTORS[i];
    String alg = v[0];
    byte[] d = HexFormat.of().parseHex(v[1]);
    byte[] json = header(alg);
    byte[] m = {(byte) (json.length >>> 8), (byte) json.length};
    PayloadDigest pd = PayloadDigest.of(alg);
    pd.update(PAYLOAD, 0, PAYLOAD.length);
    byte[] digest = pd.current();
    byte[] signed = FramedCodec.signedV2(m, json, PAYLOAD.length, digest);
    Signer signer = KeyCodec.privateKey(pkcs8(alg, d)).signer();
    Verifier verifier = KeyCodec.publicKey(spki(alg, d)).verifier();
    byte[] fresh = signer.sign(signed, 0, signed.length);
    if (v[2].isEmpty()) { // generating: print the values once, paste them here and into the doc
      System.out.println("[vectors] " + alg + " digest " + hex(digest) + "\n signed " + hex(signed) + "\n sig "
          + hex(fresh) + "\n pub " + hex(spki(alg, d)));
      throw new AssertionError("vector " + alg + " not filled in");
    }
    assertThat(hex(digest)).isEqualTo(v[2]);
    assertThat(hex(signed)).isEqualTo(v[3]);
    byte[] published = HexFormat.of().parseHex(v[4]);
    if (alg.equals("Ed25519")) {
      assertThat(hex(fresh)).as("Ed25519 is deterministic").isEqualTo(v[4]);
    }
    assertThat(verifier.verify(signed, 0, signed.length, published)).isTrue();
    assertThat(verifier.verify(signed, 0, signed.length, fresh)).isTrue();
    for (int bit = 0; bit < published.length * 8; bit++) {
      byte[] s = published.clone();
      s[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThat(verifier.verify(signed, 0, signed.length, s)).as("signature bit %d flipped", bit).isFalse();
    }
    for (int bit = 0; bit < signed.length * 8; bit++) {
      byte[] s = signed.clone();
      s[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThat(verifier.verify(s, 0, s.length, published)).as("signed_v2 bit %d flipped", bit).isFalse();
    }
    String doc = Files.readString(docs());
    for (int k = 1; k < v.length; k++) {
      assertThat(doc).as("docs/test-vectors.md has the %s value %d", alg, k).contains(v[k]);
    }
    assertThat(doc).contains(new String(json, StandardCharsets.US_ASCII)).contains(hex(spki(alg, d)));
  }

  private static Path docs() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path doc = p.resolve("docs/test-vectors.md");
      if (Files.exists(doc)) {
        return doc;
      }
    }
    throw new AssertionError("docs/test-vectors.md not found above " + Path.of("").toAbsolutePath());
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static byte[] pkcs8(String alg, byte[] d) throws Exception {
    if (alg.equals("Ed25519")) {
      return HexFormat.of().parseHex("302e020100300506032b657004220420" + hex(d));
    }
    return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve(alg)),
        new org.bouncycastle.asn1.sec.ECPrivateKey(256, new BigInteger(1, d))).getEncoded();
  }

  private static byte[] spki(String alg, byte[] d) throws Exception {
    if (alg.equals("Ed25519")) {
      byte[] pk = new org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters(d, 0).generatePublicKey().getEncoded();
      return HexFormat.of().parseHex("302a300506032b6570032100" + hex(pk));
    }
    X9ECParameters x9 = CustomNamedCurves.getByOID(curve(alg));
    byte[] q = x9.getG().multiply(new BigInteger(1, d)).normalize().getEncoded(false);
    return new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve(alg)), q)
        .getEncoded();
  }

  private static ASN1ObjectIdentifier curve(String alg) {
    return alg.equals("ES256") ? SECObjectIdentifiers.secp256r1 : GMObjectIdentifiers.sm2p256v1;
  }
}
