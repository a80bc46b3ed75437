package io.shulian.core.testing;

import io.shulian.core.audit.AuditRecord;
import io.shulian.core.internal.audit.RecordCodec;
import io.shulian.core.internal.crypto.KeyCodec;
import io.shulian.core.internal.crypto.Signer;

/**
 * sdk-core's primitives without the API around them, for the white-box benchmarks that compare one
 * primitive with the code it replaced (module {@code benchmarks}); tests and benchmarks outside
 * sdk-core reach them here instead of importing its {@code internal} packages.
 */
public final class Primitives {
  private Primitives() {}

  /** Signs bytes with one private key, as envelopes and checkpoints are signed. */
  public interface RawSigner {
    /** The signature over {@code data[off, off+len)} in the JOSE encoding of the algorithm. */
    byte[] sign(byte[] data, int off, int len);
  }

  /** Shulian's constant-time signer for {@code pkcs8}, with the SM2 user id (ignored by other keys). */
  public static RawSigner signer(byte[] pkcs8, byte[] sm2UserId) {
    Signer s = KeyCodec.privateKey(pkcs8).signer(sm2UserId);
    return s::sign;
  }

  /**
   * Encodes audit records as the log does, each behind a 4-byte length, with no hash and no CRC: what
   * a plain logger would write. Not thread-safe; reuses one buffer.
   */
  public static final class RecordEncoder {
    private final RecordCodec.Sink sink;

    public RecordEncoder(int capacity) {
      sink = new RecordCodec.Sink(capacity);
    }

    /** Encodes {@code record} as number {@code seq}; returns the length written to {@link #array}. */
    public int encode(long seq, AuditRecord record) {
      sink.reset();
      sink.u32(0);
      RecordCodec.encode(seq, record, sink);
      RecordCodec.putInt(sink.array(), 0, sink.position() - 4);
      return sink.position();
    }

    /** The buffer holding the last encoded record from index 0. */
    public byte[] array() {
      return sink.array();
    }
  }
}
