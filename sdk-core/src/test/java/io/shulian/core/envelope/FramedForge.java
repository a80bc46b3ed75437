package io.shulian.core.envelope;

import io.shulian.core.internal.access.CoreAccess;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.internal.crypto.ContentCipher;
import io.shulian.core.internal.crypto.Crypto;
import io.shulian.core.internal.crypto.Encapsulated;
import io.shulian.core.internal.crypto.KeyEncapsulation;
import io.shulian.core.internal.crypto.Signer;
import io.shulian.core.internal.jose.Json;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.party.PartyId;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Builds framed envelopes piece by piece for tests: any outer header, any plaintext stream, any
 * segment layout, correctly encrypted to a recipient. Anyone holding the recipient's certificate
 * can do this, so everything after the key agreement is hostile input too.
 */
final class FramedForge {
  private FramedForge() {}

  /** The signed header a framed sealer would write, as an editable JSON object. */
  static ObjectNode signedHeader(PartyIdentity sender, PartyId receiver, Instant issuedAt, Instant expiresAt) {
    ObjectNode h = EnvelopeForge.jwsHeader(sender, receiver, issuedAt, expiresAt);
    h.put("alg", signer(sender).streamAlgorithm());
    h.put("fmt", FramedCodec.FMT);
    return h;
  }

  static Signer signer(PartyIdentity sender) {
    return CoreAccess.keys().signingKey(sender).signer(EnvelopeForge.sm2Id());
  }

  /** {@code u16 M || header || payload || signature} with the given signature bytes. */
  static byte[] plaintext(byte[] headerJson, byte[] payload, byte[] signature) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(headerJson.length >>> 8);
    b.write(headerJson.length);
    b.writeBytes(headerJson);
    b.writeBytes(payload);
    b.writeBytes(signature);
    return b.toByteArray();
  }

  /** The plaintext stream signed by the sender's real key. */
  static byte[] signedPlaintext(ObjectNode header, byte[] payload, PartyIdentity sender) {
    byte[] json = Json.write(header);
    return plaintext(json, payload, sign(json, payload, signer(sender)));
  }

  /**
   * The v2 plaintext stream signed by the sender's real key; {@code header}'s {@code alg} is
   * replaced by the v2 name.
   */
  static byte[] signedPlaintextV2(ObjectNode header, byte[] payload, PartyIdentity sender) {
    Signer s = signer(sender);
    header.put("alg", FramedCodec.v2Algorithm(s.joseAlgorithm()));
    byte[] json = Json.write(header);
    PayloadDigest d = PayloadDigest.of(header.get("alg").textValue());
    d.update(payload, 0, payload.length);
    byte[] signed = FramedCodec.signedV2(new byte[] {(byte) (json.length >>> 8), (byte) json.length}, json,
        payload.length, d.current());
    return plaintext(json, payload, s.sign(signed, 0, signed.length));
  }

  static byte[] sign(byte[] headerJson, byte[] payload, Signer signer) {
    Signer.Streaming s = signer.stream(FramedCodec.SIGNATURE_CONTEXT);
    s.update(FramedCodec.SIGNATURE_PREFIX, 0, FramedCodec.SIGNATURE_PREFIX.length);
    s.update(new byte[] {(byte) (headerJson.length >>> 8), (byte) headerJson.length}, 0, 2);
    s.update(headerJson, 0, headerJson.length);
    s.update(payload, 0, payload.length);
    return s.finish();
  }

  /** A content key and outer header towards one recipient, to encrypt any number of plaintexts. */
  static final class Framer {
    final ContentCipher cipher;
    final byte[] cek;
    final ObjectNode outer;
    int seg;
    /** The preamble's version byte: v1, whose plaintext {@link #signedPlaintext} builds, unless set. */
    int version = FramedCodec.VERSION_1;

    Framer(PartyCertificate recipient, int seg) {
      KeyEncapsulation kem = CoreAccess.certificates().publicKey(recipient).recipient();
      this.cipher = kem.contentCipher();
      Encapsulated e = kem.encapsulate(FramedCodec.KDF_PREFIX + cipher.joseName());
      this.cek = e.cek;
      this.seg = seg;
      this.outer =
          EnvelopeForge.parse(FramedCodec.outerHeader(kem.joseAlgorithm(), cipher.joseName(), recipient.keyId().value(),
              e.epk, e.encryptedKey, new byte[0], seg, Crypto.randomBytes(FramedCodec.NONCE_PREFIX_BYTES)));
    }

    Framer edit(Consumer<ObjectNode> edit) {
      edit.accept(outer);
      return this;
    }

    byte[] preamble() {
      return FramedCodec.preamble(version, Json.write(outer));
    }

    /**
     * The nonce prefix segments are encrypted with: the header's, or a fresh one if the header's
     * was edited into something that is not 7 bytes of base64url (the opener must refuse it first).
     */
    byte[] noncePrefix() {
      try {
        byte[] np = io.shulian.core.internal.jose.Base64Url.decode(outer.get("np").textValue());
        if (np.length == FramedCodec.NONCE_PREFIX_BYTES) {
          return np;
        }
      } catch (RuntimeException e) {
        // edited: fall through
      }
      return Crypto.randomBytes(FramedCodec.NONCE_PREFIX_BYTES);
    }

    /**
     * Encrypts {@code plain} in segments of {@code seg} bytes, the last flagged as such, with a fresh
     * nonce prefix if the header's is unedited (a nonce is never used twice under one key).
     */
    byte[] frame(byte[] plain) {
      refreshNonce();
      return frame(preamble(), plain, -1);
    }

    void refreshNonce() {
      byte[] np = noncePrefix();
      if (np.length == FramedCodec.NONCE_PREFIX_BYTES
          && io.shulian.core.internal.jose.Base64Url.encodeToString(np).equals(outer.get("np").textValue())) {
        outer.put("np", io.shulian.core.internal.jose.Base64Url.encodeToString(
            Crypto.randomBytes(FramedCodec.NONCE_PREFIX_BYTES)));
      }
    }

    /**
     * Encrypts with an arbitrary preamble as AAD; {@code lastFlagAt} is the index of the segment
     * that gets the last flag (-1: the final one, as the format requires).
     */
    byte[] frame(byte[] preamble, byte[] plain, int lastFlagAt) {
      List<byte[]> segs = segments(preamble, plain, lastFlagAt);
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      b.writeBytes(preamble);
      segs.forEach(b::writeBytes);
      return b.toByteArray();
    }

    /** The encrypted segments, each with its length prefix. */
    List<byte[]> segments(byte[] preamble, byte[] plain, int lastFlagAt) {
      int count = Math.max(1, (plain.length + seg - 1) / seg);
      List<byte[]> out = new ArrayList<>();
      byte[] nonce = new byte[12];
      byte[] np = noncePrefix();
      for (int i = 0; i < count; i++) {
        int off = i * seg;
        int len = Math.min(seg, plain.length - off);
        boolean last = lastFlagAt < 0 ? i == count - 1 : i == lastFlagAt;
        FramedCodec.nonce(np, i, last, nonce);
        byte[] ct = cipher.encrypt(cek, nonce, preamble, plain, off, len);
        byte[] s = new byte[4 + ct.length];
        FramedCodec.putU32(s, 0, ct.length);
        System.arraycopy(ct, 0, s, 4, ct.length);
        out.add(s);
      }
      return out;
    }
  }

  /** Splits a framed envelope into its preamble and its segments (each with its length prefix). */
  static List<byte[]> split(byte[] env) {
    int l = ((env[5] & 0xff) << 8) | (env[6] & 0xff);
    int at = FramedCodec.PREAMBLE_FIXED_BYTES + l;
    List<byte[]> parts = new ArrayList<>();
    parts.add(java.util.Arrays.copyOf(env, at));
    while (at < env.length) {
      int len = (int) FramedCodec.u32(env, at);
      parts.add(java.util.Arrays.copyOfRange(env, at, at + 4 + len));
      at += 4 + len;
    }
    return parts;
  }

  static byte[] join(List<byte[]> parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    parts.forEach(b::writeBytes);
    return b.toByteArray();
  }
}
