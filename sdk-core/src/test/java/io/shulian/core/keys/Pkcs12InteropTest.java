package io.shulian.core.keys;

import io.shulian.core.internal.access.CoreAccess;
import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.testing.ExternalTool;
import io.shulian.core.testing.TestParties;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The key.p12 that {@code shulian keygen} writes, as the tools people open it with see it: OpenSSL 3
 * ({@code openssl pkcs12}), the JDK's keytool and PyCA ({@code cryptography}'s {@code pkcs12}).
 * Every key is extracted and compared with the key Shulian holds.
 */
class Pkcs12InteropTest {
  static final String PASSWORD = "interop-pw";
  static final Map<String, String> ENV = Map.of("P12PW", PASSWORD);

  /** The key pairs keygen can make: INTL 25519 (the default), INTL P-256, GM SM2. */
  enum Kind {
    INTL_25519(KeyAlgorithm.ED25519, KeyAlgorithm.X25519),
    INTL_P256(KeyAlgorithm.P256, KeyAlgorithm.P256),
    GM_SM2(KeyAlgorithm.SM2, KeyAlgorithm.SM2);

    final KeyAlgorithm sign;
    final KeyAlgorithm encrypt;

    Kind(KeyAlgorithm sign, KeyAlgorithm encrypt) {
      this.sign = sign;
      this.encrypt = encrypt;
    }

    PartyIdentity generate() {
      return PartyIdentity.generateSelfSigned(sign, encrypt, TestParties.HOUSING, Duration.ofDays(30));
    }
  }

  @TempDir Path tmp;

  private Path store(PartyIdentity id) throws Exception {
    Path p12 = tmp.resolve("key.p12");
    id.store(p12, PASSWORD.toCharArray());
    return p12;
  }

  /** The private keys of the identity, sign, encrypt and tls, as raw private key structures. */
  private static List<byte[]> expectedKeys(PartyIdentity id) {
    return List.of(rawKey(CoreAccess.keys().signingPkcs8(id)), rawKey(CoreAccess.keys().encryptionPkcs8(id)),
        rawKey(CoreAccess.keys().tlsPkcs8(id)));
  }

  private static byte[] rawKey(byte[] pkcs8) {
    return secret(PrivateKeyInfo.getInstance(pkcs8));
  }

  /** The secret itself: the EC scalar, or the 32 bytes of an Ed25519/X25519 key. */
  private static byte[] secret(PrivateKeyInfo info) {
    try {
      org.bouncycastle.asn1.ASN1Encodable k = info.parsePrivateKey();
      if (k instanceof org.bouncycastle.asn1.ASN1OctetString) {
        return ((org.bouncycastle.asn1.ASN1OctetString) k).getOctets();
      }
      return org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(k).getKey().toByteArray();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<byte[]> pemKeys(String text) throws Exception {
    List<byte[]> out = new ArrayList<>();
    try (PEMParser p = new PEMParser(new StringReader(text))) {
      Object o;
      while ((o = p.readObject()) != null) {
        if (o instanceof PrivateKeyInfo) {
          out.add(secret((PrivateKeyInfo) o));
        }
      }
    }
    return out;
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void opensslPkcs12_info_readsEveryKeyOfEveryKind(Kind kind) throws Exception {
    ExternalTool.require("the PKCS#12 interop check", "openssl", "version");
    PartyIdentity id = kind.generate();
    Path p12 = store(id);

    ExternalTool.Result info = ExternalTool.run(
        List.of("openssl", "pkcs12", "-info", "-nodes", "-passin", "env:P12PW", "-in", p12.toString()), tmp, ENV);
    assertThat(info.exit).as("%s", info).isZero();
    assertThat(info.output).doesNotContain("error");

    Path pem = tmp.resolve("all.pem");
    ExternalTool.Result out = ExternalTool.run(List.of("openssl", "pkcs12", "-in", p12.toString(), "-nodes",
        "-passin", "env:P12PW", "-out", pem.toString()), tmp, ENV);
    assertThat(out.exit).as("%s", out).isZero();
    List<byte[]> got = pemKeys(Files.readString(pem));
    List<byte[]> want = expectedKeys(id);
    assertThat(got).hasSize(3);
    for (byte[] w : want) {
      assertThat(got.stream().anyMatch(g -> Arrays.equals(g, w))).as("%s key extracted by openssl", kind).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void opensslPkey_readsEachExtractedKey(Kind kind) throws Exception {
    ExternalTool.require("the PKCS#12 interop check", "openssl", "version");
    Path p12 = store(kind.generate());
    for (String alias : List.of("sign", "encrypt", "tls")) {
      Path key = tmp.resolve(alias + ".key");
      // -nocerts -nodes writes the keys; the one with this friendly name is then read on its own
      ExternalTool.Result r = ExternalTool.run(List.of("openssl", "pkcs12", "-in", p12.toString(), "-nocerts",
          "-nodes", "-passin", "env:P12PW", "-out", key.toString()), tmp, ENV);
      assertThat(r.exit).as("%s", r).isZero();
      String text = Files.readString(key);
      int at = text.indexOf("friendlyName: " + alias);
      assertThat(at).as("entry %s", alias).isNotNegative();
      int begin = text.indexOf("-----BEGIN PRIVATE KEY-----", at);
      int end = text.indexOf("-----END PRIVATE KEY-----", begin) + "-----END PRIVATE KEY-----".length();
      Path one = tmp.resolve(alias + ".one.pem");
      Files.writeString(one, text.substring(begin, end) + "\n");
      ExternalTool.Result pkey = ExternalTool.run(
          List.of("openssl", "pkey", "-in", one.toString(), "-noout", "-text"), tmp, Map.of());
      assertThat(pkey.exit).as("%s %s", alias, pkey).isZero();
    }
  }

  /** INTL only: the JDK has no SM2 curve, so keytool cannot read a GM store (docs/trust.md says so). */
  @ParameterizedTest
  @EnumSource(value = Kind.class, names = {"INTL_25519", "INTL_P256"})
  void keytool_listsEveryIntlEntry(Kind kind) throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    ExternalTool.require("the PKCS#12 interop check", keytool, "-help");
    Path p12 = store(kind.generate());
    ExternalTool.Result r = ExternalTool.run(List.of(keytool, "-list", "-storetype", "PKCS12", "-keystore",
        p12.toString(), "-storepass:env", "P12PW"), tmp, ENV);
    assertThat(r.exit).as("%s", r).isZero();
    assertThat(r.output).contains("3 entries");
    for (String alias : List.of("sign", "encrypt", "tls")) {
      assertThat(r.output).contains(alias + ",");
    }
    assertThat(r.output.split("PrivateKeyEntry", -1)).hasSize(4);
  }

  @ParameterizedTest
  @EnumSource(value = Kind.class, names = {"INTL_25519", "INTL_P256"})
  void pyca_loadsIntlKeystore(Kind kind) throws Exception {
    String python = pythonWithCryptography();
    Path p12 = store(kind.generate());
    String script = String.join("\n",
        "import os, sys",
        "from cryptography.hazmat.primitives.serialization import pkcs12",
        "p = pkcs12.load_pkcs12(open(sys.argv[1], 'rb').read(), os.environb[b'P12PW'])",
        "from cryptography.hazmat.primitives.asymmetric import ec, ed25519",
        "kind = 'ed25519' if isinstance(p.key, ed25519.Ed25519PrivateKey) else "
            + "'ec' if isinstance(p.key, ec.EllipticCurvePrivateKey) else type(p.key).__name__",
        "print(kind, p.cert is not None and p.cert.friendly_name, len(p.additional_certs))");
    ExternalTool.Result r = ExternalTool.run(List.of(python, "-c", script, p12.toString()), tmp, ENV);
    assertThat(r.exit).as("%s", r).isZero();
    // INTL only: PyCA has no SM2 curve. Its API returns one key, the first ('sign'), with its
    // certificate; the other certificates (encrypt, tls, their issuer) come as additional ones
    String keyType = kind == Kind.INTL_25519 ? "ed25519" : "ec";
    assertThat(r.output).as("%s", r).isEqualTo(keyType + " b'sign' 3\n");
  }

  /** PyCA: python3 on PATH, else Debian's /usr/bin/python3 (python3-cryptography). */
  static String pythonWithCryptography() {
    for (String py : List.of("python3", "/usr/bin/python3")) {
      if (ExternalTool.runs(py, "-c", "from cryptography.hazmat.primitives.serialization import pkcs12")) {
        return py;
      }
    }
    ExternalTool.require("PyCA interop check (apt-get install python3-cryptography)",
        "python3", "-c", "from cryptography.hazmat.primitives.serialization import pkcs12");
    throw new AssertionError("unreachable");
  }

  @Test
  void store_eachEncryptedStructure_hasItsOwnSaltAndIv() throws Exception {
    Path p12 = store(Kind.INTL_25519.generate());
    org.bouncycastle.pkcs.PKCS12PfxPdu pfx = new org.bouncycastle.pkcs.PKCS12PfxPdu(Files.readAllBytes(p12));
    List<org.bouncycastle.asn1.x509.AlgorithmIdentifier> algs = new ArrayList<>();
    for (org.bouncycastle.asn1.pkcs.ContentInfo ci : pfx.getContentInfos()) {
      if (ci.getContentType().equals(org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.encryptedData)) {
        algs.add(org.bouncycastle.asn1.pkcs.EncryptedData.getInstance(ci.getContent()).getEncryptionAlgorithm());
      } else {
        for (org.bouncycastle.pkcs.PKCS12SafeBag b : new org.bouncycastle.pkcs.PKCS12SafeBagFactory(ci).getSafeBags()) {
          algs.add(((org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo) b.getBagValue()).getEncryptionAlgorithm());
        }
      }
    }
    assertThat(algs).hasSize(4); // the certificate safe and three keys
    java.util.Set<String> salts = new java.util.HashSet<>();
    java.util.Set<String> ivs = new java.util.HashSet<>();
    for (org.bouncycastle.asn1.x509.AlgorithmIdentifier a : algs) {
      org.bouncycastle.asn1.pkcs.PBES2Parameters p =
          org.bouncycastle.asn1.pkcs.PBES2Parameters.getInstance(a.getParameters());
      salts.add(java.util.HexFormat.of().formatHex(
          org.bouncycastle.asn1.pkcs.PBKDF2Params.getInstance(p.getKeyDerivationFunc().getParameters()).getSalt()));
      ivs.add(java.util.HexFormat.of().formatHex(
          org.bouncycastle.asn1.ASN1OctetString.getInstance(p.getEncryptionScheme().getParameters()).getOctets()));
    }
    assertThat(salts).as("PBKDF2 salts").hasSize(4);
    assertThat(ivs).as("AES-CBC IVs").hasSize(4);
  }

  @Test
  void store_thenLoad_roundTripsAfterReencoding() throws Exception {
    for (Kind kind : Kind.values()) {
      PartyIdentity id = kind.generate();
      Path p12 = store(id);
      PartyIdentity back = PartyIdentity.load(p12, PASSWORD.toCharArray());
      assertThat(back.signingCertificate().keyId()).isEqualTo(id.signingCertificate().keyId());
      assertThat(rawKey(CoreAccess.keys().signingPkcs8(back))).isEqualTo(rawKey(CoreAccess.keys().signingPkcs8(id)));
      assertThat(rawKey(CoreAccess.keys().encryptionPkcs8(back))).isEqualTo(rawKey(CoreAccess.keys().encryptionPkcs8(id)));
    }
  }
}
