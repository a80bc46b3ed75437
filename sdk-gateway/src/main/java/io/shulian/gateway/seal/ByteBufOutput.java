package io.shulian.gateway.seal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.OutputStream;
import org.jspecify.annotations.Nullable;

/**
 * Collects what a sealer or opener writes during one step into a buffer that the owner then takes
 * and writes to a channel: bounded by what one input piece produces (a segment or two), never more.
 * Confined to one event loop.
 */
final class ByteBufOutput extends OutputStream {
  private final ByteBufAllocator alloc;
  private @Nullable ByteBuf buf;

  ByteBufOutput(ByteBufAllocator alloc) {
    this.alloc = alloc;
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    if (len == 0) {
      return;
    }
    if (buf == null) {
      buf = alloc.buffer(Math.max(len, 8192));
    }
    buf.writeBytes(b, off, len);
  }

  /** Takes what was collected (the caller owns and releases it), or null if nothing was written. */
  @Nullable ByteBuf take() {
    ByteBuf b = buf;
    buf = null;
    return b;
  }

  /** Drops anything collected. */
  void discard() {
    ByteBuf b = take();
    if (b != null) {
      b.release();
    }
  }
}
