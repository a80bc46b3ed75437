package io.shulian.benchmarks;

import io.shulian.core.envelope.EnvelopeEncoding;
import io.shulian.core.envelope.EnvelopeOpener;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.ReplayCache;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealedEnvelope;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.PinnedSenderTrust;
import java.time.Clock;

/**
 * Shulian's envelope through its public API only, configured as an embedder would: default
 * limits, pinned sender trust, and the default in-memory replay cache (2,000,000 entries). The
 * replay cache is wrapped in {@link SaltedReplayCache} so that {@code open} can reopen the envelope
 * sealed at setup while still paying for a real cache insertion on every call. The encoding is
 * compact JOSE ({@code shulian}) or framed ({@code framed}), both through the byte[] API.
 */
final class ShulianExchange implements Exchange {
  private final byte[] payload;
  private final EnvelopeSealer sealer;
  private final EnvelopeOpener opener;
  private final SealRequest request;
  private final byte[] sealed;

  ShulianExchange(BenchSuite suite, byte[] payload) throws Exception {
    this(suite, payload, EnvelopeEncoding.COMPACT);
  }

  ShulianExchange(BenchSuite suite, byte[] payload, EnvelopeEncoding encoding) throws Exception {
    this(suite, payload, encoding, false);
  }

  /**
   * @param reuseEphemeralKeys seal as the gateway does by default: one ECDH-ES ephemeral key per
   *     recipient for 60 s / 100,000 envelopes (the receiver then caches the shared secret)
   */
  ShulianExchange(BenchSuite suite, byte[] payload, EnvelopeEncoding encoding, boolean reuseEphemeralKeys)
      throws Exception {
    this.payload = payload;
    PartyIdentity sender = suite.identity(BenchSuite.SENDER);
    PartyIdentity receiver = suite.identity(BenchSuite.RECEIVER);
    EnvelopeSealer.Builder sb = EnvelopeSealer.builder(sender);
    if (reuseEphemeralKeys) {
      sb.reuseEphemeralKeys(java.time.Duration.ofSeconds(60), 100_000);
    }
    this.sealer = sb.build();
    this.opener =
        EnvelopeOpener.builder(receiver, PinnedSenderTrust.of(sender.certificates()))
            .replayCache(new SaltedReplayCache(
                ReplayCache.inMemory(EnvelopeOpener.DEFAULT_REPLAY_CACHE_ENTRIES, Clock.systemUTC())))
            .build();
    this.request =
        SealRequest.builder()
            .recipient(receiver.encryptionCertificate())
            .resource(BenchSuite.RESOURCE)
            .purpose(BenchSuite.PURPOSE)
            .ttl(BenchSuite.TTL)
            .encoding(encoding)
            .build();
    this.sealed = sealer.seal(request, payload).toByteArray();
    // Fail at setup, not in the measurement, if the round trip is broken.
    if (!java.util.Arrays.equals(opener.open(sealed).payload(), payload)) {
      throw new IllegalStateException("shulian round trip changed the payload");
    }
  }

  @Override
  public Object seal() throws Exception {
    return sealer.seal(request, payload);
  }

  @Override
  public Object open() throws Exception {
    return opener.open(sealed);
  }

  @Override
  public Object roundTrip() throws Exception {
    SealedEnvelope e = sealer.seal(request, payload);
    return opener.open(e.toByteArray());
  }
}
