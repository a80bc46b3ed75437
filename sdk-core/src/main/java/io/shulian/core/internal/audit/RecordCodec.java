package io.shulian.core.internal.audit;

import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditEntry;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.core.audit.HashAlgorithm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary encoding of one record body, format versions 1 and 2 (big-endian; {@code str} = u16
 * length + UTF-8; {@code list} = u8 count + str...):
 *
 * <pre>
 * u8 version (1 or 2) | u64 seq | i64 epochSecond | u32 nano | u8 direction
 * str envelopeId | str sender | str receiver | str resource | str purpose | str grantId
 * u8 effect (1 PERMIT, 2 DENY) | list ruleIds | list obligations | str policyVersionHash | list reasonCodes
 * u8 payloadDigestAlg | u8 digestLength (0 or 32) | digest | u64 payloadBytes
 * u16 status | str outcome | u64 latencyNanos
 * version 2 and 3: str app | str method | str path
 * version 3 only: i64 transferRecords (-1: not counted) | u64 transferSegments | u8 transferComplete (0 or 1)
 * </pre>
 *
 * <p>A record without app, method and path is written as version 1, byte for byte as before, so
 * logs and proofs of earlier releases keep verifying and tools of earlier releases keep reading
 * such records; a record with any of them is version 2. A record of a streamed data set transfer
 * (with {@link AuditRecord#transfer()}) is version 3; readers of earlier releases refuse it as newer.
 */
public final class RecordCodec {
  /** The newest body version this release writes and reads. */
  public static final int VERSION = 3;
  /** Offset of the sequence number in a body. */
  public static final int SEQ_OFFSET = 1;

  private RecordCodec() {}

  /** A growable byte sink that encodes without per-call allocation. */
  public static final class Sink {
    byte[] buf;
    int pos;

    public Sink(int capacity) {
      buf = new byte[capacity];
    }

    public byte[] array() {
      return buf;
    }

    public int position() {
      return pos;
    }

    public void reset() {
      pos = 0;
    }

    /** Moves the end to {@code p}, keeping the bytes before it. */
    public void position(int p) {
      if (p < 0 || p > buf.length) {
        throw new IndexOutOfBoundsException(p);
      }
      pos = p;
    }

    void ensure(int n) {
      if (pos + n > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
      }
    }

    public void u8(int v) {
      ensure(1);
      buf[pos++] = (byte) v;
    }

    public void u16(int v) {
      ensure(2);
      buf[pos++] = (byte) (v >>> 8);
      buf[pos++] = (byte) v;
    }

    public void u32(int v) {
      ensure(4);
      putInt(buf, pos, v);
      pos += 4;
    }

    public void u64(long v) {
      ensure(8);
      putLong(buf, pos, v);
      pos += 8;
    }

    public void bytes(byte[] b, int off, int len) {
      ensure(len);
      System.arraycopy(b, off, buf, pos, len);
      pos += len;
    }

    void str(String s) {
      // ASCII fast path: ids, codes and party ids are ASCII in practice
      int n = s.length();
      boolean ascii = n <= 65_535;
      if (ascii) {
        ensure(2 + n);
        int p = pos + 2;
        for (int i = 0; i < n; i++) {
          char c = s.charAt(i);
          if (c >= 0x80) {
            ascii = false;
            break;
          }
          buf[p++] = (byte) c;
        }
        if (ascii) {
          u16(n);
          pos += n;
          return;
        }
      }
      byte[] b = s.getBytes(StandardCharsets.UTF_8);
      u16(b.length);
      bytes(b, 0, b.length);
    }

    void list(List<String> l) {
      u8(l.size());
      for (String s : l) {
        str(s);
      }
    }
  }

  public static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  public static void putLong(byte[] b, int off, long v) {
    putInt(b, off, (int) (v >>> 32));
    putInt(b, off + 4, (int) v);
  }

  public static int getInt(byte[] b, int off) {
    return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
  }

  public static long getLong(byte[] b, int off) {
    return ((long) getInt(b, off) << 32) | (getInt(b, off + 4) & 0xffffffffL);
  }

  /** Appends the body of {@code r} with sequence number {@code seq} to {@code out}. */
  public static void encode(long seq, AuditRecord r, Sink out) {
    AuditRecord.Transfer t = r.transfer().orElse(null);
    boolean v2 = t != null || !r.app().isEmpty() || !r.method().isEmpty() || !r.path().isEmpty();
    out.u8(t != null ? 3 : v2 ? 2 : 1);
    out.u64(seq);
    out.u64(r.time().getEpochSecond());
    out.u32(r.time().getNano());
    out.u8(r.direction().code());
    out.str(r.envelopeId());
    out.str(r.sender());
    out.str(r.receiver());
    out.str(r.resource());
    out.str(r.purpose());
    out.str(r.grantId());
    AuditDecision d = r.decision();
    out.u8(d.effect() == AuditDecision.Effect.PERMIT ? 1 : 2);
    out.list(d.ruleIds());
    out.list(d.obligations());
    out.str(d.policyVersionHash());
    out.list(d.reasonCodes());
    out.u8(r.payloadDigestAlgorithm().id());
    byte[] digest = r.payloadDigest();
    out.u8(digest.length);
    out.bytes(digest, 0, digest.length);
    out.u64(r.payloadBytes());
    out.u16(r.status());
    out.str(r.outcome());
    out.u64(r.latency().toNanos());
    if (v2) {
      out.str(r.app());
      out.str(r.method());
      out.str(r.path());
    }
    if (t != null) {
      out.u64(t.records());
      out.u64(t.segments());
      out.u8(t.complete() ? 1 : 0);
    }
  }

  /** A body that does not decode. */
  public static final class MalformedRecordException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean newerVersion;

    MalformedRecordException(String message, boolean newerVersion) {
      super(message);
      this.newerVersion = newerVersion;
    }

    public boolean newerVersion() {
      return newerVersion;
    }
  }

  /** Decodes a body; every length is checked against the body bounds. */
  public static AuditEntry decode(byte[] b, int off, int len) throws MalformedRecordException {
    Reader in = new Reader(b, off, len);
    try {
      int version = in.u8();
      if (version < 1 || version > VERSION) {
        throw new MalformedRecordException("record format version " + version
            + (version > VERSION ? " is newer than this version of Shulian reads (" + VERSION + ")" : " is unknown"),
            version > VERSION);
      }
      long seq = in.u64();
      long sec = in.u64();
      int nano = in.u32();
      if (nano < 0 || nano > 999_999_999) {
        // the encoder writes getNano(); anything else would let Instant.ofEpochSecond overflow
        throw new IllegalArgumentException("nanosecond field " + Integer.toUnsignedString(nano) + " is out of range");
      }
      Instant time = Instant.ofEpochSecond(sec, nano);
      Direction dir = Direction.ofCode(in.u8());
      AuditRecord.Builder r = AuditRecord.builder()
          .time(time)
          .direction(dir)
          .envelopeId(in.str())
          .sender(in.str())
          .receiver(in.str())
          .resource(in.str())
          .purpose(in.str())
          .grantId(in.str());
      int effect = in.u8();
      if (effect != 1 && effect != 2) {
        throw new IllegalArgumentException("unknown decision effect " + effect);
      }
      AuditDecision decision = AuditDecision.builder(effect == 1 ? AuditDecision.Effect.PERMIT : AuditDecision.Effect.DENY)
          .ruleIds(in.list())
          .obligations(in.list())
          .policyVersionHash(in.str())
          .reasonCodes(in.list())
          .build();
      r.decision(decision);
      HashAlgorithm alg = HashAlgorithm.ofId(in.u8());
      int dl = in.u8();
      r.payloadDigest(alg, in.bytes(dl));
      r.payloadBytes(in.u64());
      r.status(in.u16());
      r.outcome(in.str());
      long lat = in.u64();
      if (lat < 0) {
        throw new IllegalArgumentException("negative latency");
      }
      r.latency(Duration.ofNanos(lat));
      if (version >= 2) {
        r.app(in.str());
        String method = in.str();
        r.request(method, in.str());
      }
      if (version == 3) {
        long records = in.u64();
        long segments = in.u64();
        int complete = in.u8();
        if (complete > 1) {
          throw new IllegalArgumentException("transfer complete flag " + complete + " is not 0 or 1");
        }
        r.transfer(new AuditRecord.Transfer(records, segments, complete == 1));
      }
      if (in.pos != off + len) {
        throw new IllegalArgumentException((off + len - in.pos) + " trailing bytes");
      }
      return new AuditEntry(seq, r.build());
    } catch (IllegalArgumentException | NullPointerException | java.time.DateTimeException e) {
      throw new MalformedRecordException("record does not decode: " + e.getMessage(), false);
    }
  }

  private static final class Reader {
    final byte[] b;
    final int end;
    int pos;

    Reader(byte[] b, int off, int len) {
      this.b = b;
      this.pos = off;
      this.end = off + len;
    }

    void need(int n) {
      if (n < 0 || pos + n > end) {
        throw new IllegalArgumentException("truncated body");
      }
    }

    int u8() {
      need(1);
      return b[pos++] & 0xff;
    }

    int u16() {
      need(2);
      int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
      pos += 2;
      return v;
    }

    int u32() {
      need(4);
      int v = getInt(b, pos);
      pos += 4;
      return v;
    }

    long u64() {
      need(8);
      long v = getLong(b, pos);
      pos += 8;
      return v;
    }

    byte[] bytes(int n) {
      need(n);
      byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
      pos += n;
      return out;
    }

    String str() {
      int n = u16();
      need(n);
      String s = new String(b, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    List<String> list() {
      int n = u8();
      List<String> l = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        l.add(str());
      }
      return l;
    }
  }
}
