package io.shulian.benchmarks;

import io.shulian.core.envelope.EnvelopeOpener;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.ReplayCache;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealedEnvelope;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.PinnedSenderTrust;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Shulian sealing as a busy gateway does: ECDH-ES ephemeral key reuse and batch signatures
 * ({@link EnvelopeSealer#sealBatch}) over {@code n} envelopes, each opened on its own by a receiver
 * that verifies the batch's root signature once. Round trips only; one call is {@code n} envelopes.
 */
final class BatchExchange implements Exchange {
  private final EnvelopeSealer sealer;
  private final EnvelopeOpener opener;
  private final List<SealRequest> requests;
  private final List<byte[]> payloads;

  BatchExchange(BenchSuite suite, byte[] payload, int n) throws Exception {
    PartyIdentity sender = suite.identity(BenchSuite.SENDER);
    PartyIdentity receiver = suite.identity(BenchSuite.RECEIVER);
    this.sealer = EnvelopeSealer.builder(sender).reuseEphemeralKeys(Duration.ofSeconds(60), 100_000).build();
    this.opener = EnvelopeOpener.builder(receiver, PinnedSenderTrust.of(sender.certificates()))
        .replayCache(new SaltedReplayCache(ReplayCache.inMemory(EnvelopeOpener.DEFAULT_REPLAY_CACHE_ENTRIES, Clock.systemUTC())))
        .build();
    SealRequest request = SealRequest.builder()
        .recipient(receiver.encryptionCertificate())
        .resource(BenchSuite.RESOURCE)
        .purpose(BenchSuite.PURPOSE)
        .ttl(BenchSuite.TTL)
        .build();
    this.requests = Collections.nCopies(n, request);
    this.payloads = Collections.nCopies(n, payload);
    for (SealedEnvelope e : sealer.sealBatch(requests, payloads)) {
      if (!Arrays.equals(opener.open(e.toByteArray()).payload(), payload)) {
        throw new IllegalStateException("batch round trip changed the payload");
      }
    }
  }

  @Override
  public Object seal() throws Exception {
    return sealer.sealBatch(requests, payloads);
  }

  @Override
  public Object open() {
    throw new UnsupportedOperationException("batch impls measure roundTrip only (a reopened batch would always hit the verified-root cache)");
  }

  @Override
  public Object roundTrip() throws Exception {
    Object last = null;
    for (SealedEnvelope e : sealer.sealBatch(requests, payloads)) {
      last = opener.open(e.toByteArray());
    }
    return Objects.requireNonNull(last, "empty batch");
  }

  @Override
  public int envelopesPerCall() {
    return requests.size();
  }
}
