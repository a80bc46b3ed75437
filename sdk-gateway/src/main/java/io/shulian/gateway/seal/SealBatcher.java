package io.shulian.gateway.seal;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.shulian.core.envelope.EnvelopeException;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealedEnvelope;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seals envelopes on an event loop, sharing one batch signature among the envelopes that one
 * round of I/O asks for ({@link EnvelopeSealer#sealBatch}). Nothing waits for a batch to fill: the
 * first seal of a round schedules a task that runs right after the loop has processed the round's
 * reads, and that task seals whatever was asked for by then. At low load every batch holds one
 * envelope, which gets a plain signature; under load one signature covers many exchanges.
 *
 * <p>Meant to be called on {@code loop} (a call from another thread is passed to it). With batching
 * off, seals at once.
 */
public final class SealBatcher {
  private static final Logger LOG = LoggerFactory.getLogger(SealBatcher.class);
  /** The most envelopes under one signature (the sealer's limit). */
  static final int MAX_BATCH = 256;

  /** Gets the sealed envelope, or the reason it could not be sealed. */
  public interface Then extends BiConsumer<SealedEnvelope, Exception> {}

  private static final class Pending {
    final SealRequest request;
    final byte[] payload;
    final Then then;

    Pending(SealRequest request, byte[] payload, Then then) {
      this.request = request;
      this.payload = payload;
      this.then = then;
    }
  }

  private final EnvelopeSealer sealer;
  private final boolean batching;
  private final IntConsumer batchSizes;
  private final FastThreadLocal<List<Pending>> queued = new FastThreadLocal<>() {
    @Override
    protected List<Pending> initialValue() {
      return new ArrayList<>();
    }
  };

  /**
   * @param batching false to seal every envelope on its own, at once
   * @param batchSizes told the size of every batch sealed (metrics)
   */
  public SealBatcher(EnvelopeSealer sealer, boolean batching, IntConsumer batchSizes) {
    this.sealer = sealer;
    this.batching = batching;
    this.batchSizes = batchSizes;
  }

  /** Seals {@code payload} for {@code request}, then calls {@code then} on {@code loop}. */
  public void seal(EventLoop loop, SealRequest request, byte[] payload, Then then) {
    if (!loop.inEventLoop()) {
      // the queue belongs to the loop's thread
      try {
        loop.execute(() -> seal(loop, request, payload, then));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        deliver(new Pending(request, payload, then), null, new IllegalStateException("the event loop is shut down"));
      }
      return;
    }
    if (!batching) {
      sealOne(new Pending(request, payload, then));
      return;
    }
    List<Pending> q = queued.get();
    q.add(new Pending(request, payload, then));
    if (q.size() == 1) {
      try {
        loop.execute(() -> flush(q));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        flush(q); // the loop is shutting down: seal now rather than strand the exchange
      }
    } else if (q.size() == MAX_BATCH) {
      flush(q);
    }
  }

  private void flush(List<Pending> q) {
    if (q.isEmpty()) {
      return;
    }
    List<Pending> batch = new ArrayList<>(q);
    q.clear();
    batchSizes.accept(batch.size());
    if (batch.size() == 1) {
      sealOne(batch.get(0));
      return;
    }
    List<SealRequest> requests = new ArrayList<>(batch.size());
    List<byte[]> payloads = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      requests.add(p.request);
      payloads.add(p.payload);
    }
    List<SealedEnvelope> sealed;
    try {
      sealed = sealer.sealBatch(requests, payloads);
    } catch (EnvelopeException | IllegalArgumentException e) {
      // one request cannot be sealed: seal each on its own, so that each gets its own answer
      batch.forEach(this::sealOne);
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      deliver(batch.get(i), sealed.get(i), null);
    }
  }

  private void sealOne(Pending p) {
    SealedEnvelope e;
    try {
      e = sealer.seal(p.request, p.payload);
    } catch (EnvelopeException | IllegalArgumentException ex) {
      deliver(p, null, ex);
      return;
    }
    deliver(p, e, null);
  }

  private static void deliver(Pending p, @Nullable SealedEnvelope e, @Nullable Exception failure) {
    try {
      p.then.accept(e, failure);
    } catch (RuntimeException ex) {
      // one exchange's bug must not strand the others of its batch
      LOG.warn("exchange continuation failed after sealing: {}", ex.toString());
    }
  }
}
