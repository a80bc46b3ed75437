package io.shulian.gateway.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.BundleHolder;
import io.shulian.core.trust.CityBundle;
import io.shulian.gateway.authenticate.CityPeerVerifier;
import io.shulian.gateway.authenticate.GatewayTls;
import io.shulian.gateway.pipeline.GatewayContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The city bundle from the city hub ({@code trust.bundle: https://hub/v1/bundle/intl}): one
 * background thread long-polls the hub for a version newer than the one held, verifies what comes
 * back with the same {@link BundleHolder#update} as a bundle file (signature under the city root,
 * rollback floor in the state directory, validity), and saves each accepted bundle as the last good
 * one in the state directory, from which a restart starts when the hub is down. The poller hands
 * each bundle to the gateway's housekeeping thread (within {@link #APPLY_INTERVAL}), which, as for a
 * file, verifies and swaps it in, swaps the routes and closes the connections of peers the new
 * trust refuses, all in one step.
 *
 * <p>The hub is reached over HTTPS with the gateway's own TLS certificate; the hub's certificate must
 * chain to the city root and not be revoked in the bundle held (any city party's TLS certificate is
 * accepted: the hub cannot forge a bundle, only withhold one). Hub unreachable or answering nonsense:
 * the bundle held is kept, the failure counted and shown in /readyz, and polls back off (1 s doubling
 * to 30 s); the bundle held goes stale after its validity and grace as with a file, and the gateway
 * then fails closed.
 */
final class HubBundleSource implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HubBundleSource.class);
  /** File in the state directory holding the last bundle accepted from the hub. */
  static final String LAST_GOOD_FILE = "hub-bundle.jws";
  /** How often the housekeeping thread looks for a bundle the poller accepted. */
  static final Duration APPLY_INTERVAL = Duration.ofMillis(100);
  static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final ConfigLoader.Loaded loaded;
  private final URI url;
  private final Path lastGood;
  private final HttpClient http;
  private final BundleHolder holder;
  private final ReloadStatus status = new ReloadStatus(BundleReloader.REASONS, BundleReloader::reason);
  /** A bundle fetched by the poller, waiting for the housekeeping thread. */
  private final AtomicReference<@Nullable Pending> pending = new AtomicReference<>();
  private final AtomicReference<@Nullable Thread> thread = new AtomicReference<>();
  private volatile boolean closed;

  HubBundleSource(ConfigLoader.Loaded loaded, URI url, PartyIdentity identity, BundleHolder holder) {
    this.loaded = loaded;
    this.holder = holder;
    this.url = url;
    this.lastGood = loaded.stateDir.resolve(LAST_GOOD_FILE);
    this.http = HttpClient.newBuilder()
        .sslContext(GatewayTls.jdkClient(identity, new CityPeerVerifier(holder, Clock.systemUTC())))
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** Saves {@code jws} (already accepted by the holder) as the last good bundle. */
  static void saveLastGood(Path stateDir, byte[] jws) throws IOException {
    PartyIdentity.writeAtomically(stateDir.resolve(LAST_GOOD_FILE), jws);
  }

  private static final class Pending {
    final byte[] jws;
    final java.util.concurrent.CompletableFuture<CityBundle> result = new java.util.concurrent.CompletableFuture<>();

    Pending(byte[] jws) {
      this.jws = jws;
    }
  }

  /**
   * The housekeeping task: starts the poller on its first run (only a started gateway polls), and
   * verifies and swaps in a bundle the poller fetched, with its routes and peer revocations.
   */
  void apply(GatewayContext ctx) {
    if (thread.get() == null && !closed) {
      Thread t = new Thread(this::pollLoop, "shulian-hub-bundle");
      t.setDaemon(true);
      if (thread.compareAndSet(null, t)) {
        t.start();
      }
    }
    Pending p = pending.getAndSet(null);
    if (p == null) {
      return;
    }
    try {
      long before = holder.current().map(CityBundle::version).orElse(-1L);
      CityBundle now = holder.update(p.jws);
      if (now.version() != before) {
        ctx.replaceDirectory(ConfigLoader.directoryFromBundle(loaded));
        closeUntrusted(ctx);
      }
      p.result.complete(now);
    } catch (Exception | OutOfMemoryError | StackOverflowError e) {
      p.result.completeExceptionally(e);
    }
  }

  /** Every {@code trust.bundleReload}: certificates also expire and trust goes stale. */
  void closeUntrusted(GatewayContext ctx) {
    int closedPeers = ctx.closeUntrustedPeers();
    if (closedPeers > 0) {
      LOG.atWarn().addKeyValue("event", "peers_closed_untrusted").addKeyValue("count", closedPeers)
          .log("closed {} gateway connections whose TLS certificate is no longer trusted", closedPeers);
    }
  }

  private void pollLoop() {
    Duration backoff = Duration.ofSeconds(1);
    while (!closed) {
      long held = holder.current().map(CityBundle::version).orElse(0L);
      try {
        pollOnce(held);
        status.succeeded();
        backoff = Duration.ofSeconds(1);
        continue;
      } catch (InterruptedException e) {
        return;
      } catch (Exception | OutOfMemoryError e) {
        if (closed) {
          return;
        }
        // a hub that stays down fails every poll: logged once per distinct reason, counted every time
        (status.failed(e) ? LOG.atWarn() : LOG.atDebug()).addKeyValue("event", "bundle_hub_poll_failed")
            .addKeyValue("url", url).addKeyValue("reason", ReloadStatus.describe(e))
            .addKeyValue("failures", status.failures())
            .log("city bundle not fetched from {}, the bundle in use stays: {}", url, ReloadStatus.describe(e));
      }
      try {
        Thread.sleep(backoff.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    }
  }

  /**
   * Long-polls once for a version newer than {@code held}.
   *
   * @throws IOException for an unreachable hub or an unexpected answer
   * @throws io.shulian.core.trust.BundleException for a bundle the holder refused
   */
  private void pollOnce(long held) throws IOException, InterruptedException, io.shulian.core.trust.BundleException {
    URI u = URI.create(url + (url.getRawQuery() == null ? "?" : "&") + "after=" + held + "&wait=" + WAIT.toSeconds() + "s");
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(u).timeout(WAIT.plusSeconds(15)).GET().build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = r.body()) {
      if (r.statusCode() == 304) {
        return;
      }
      if (r.statusCode() != 200) {
        throw new IOException("hub answered " + r.statusCode());
      }
      if (r.headers().firstValueAsLong("Content-Length").orElse(0) > CityBundle.MAX_BUNDLE_BYTES) {
        throw new IOException("hub bundle is larger than " + CityBundle.MAX_BUNDLE_BYTES + " bytes");
      }
      byte[] jws = in.readNBytes(CityBundle.MAX_BUNDLE_BYTES + 1);
      if (jws.length > CityBundle.MAX_BUNDLE_BYTES) {
        throw new IOException("hub bundle is larger than " + CityBundle.MAX_BUNDLE_BYTES + " bytes");
      }
      Pending p = new Pending(jws);
      pending.set(p);
      CityBundle now;
      try {
        now = p.result.get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        pending.compareAndSet(p, null);
        throw new IOException("the gateway did not apply the bundle in time (housekeeping stopped?)");
      } catch (java.util.concurrent.ExecutionException e) {
        Throwable t = e.getCause();
        if (t instanceof io.shulian.core.trust.BundleException) {
          throw (io.shulian.core.trust.BundleException) t;
        }
        throw new IOException("bundle not applied: " + (t == null ? e.toString() : ReloadStatus.describe(t)), t);
      }
      if (now.version() <= held) {
        // the same bundle again: a hub that does not answer the long-poll properly; do not spin
        throw new IOException("hub served version " + now.version() + ", not newer than " + held);
      }
      saveLastGood(loaded.stateDir, jws);
      LOG.atInfo().addKeyValue("event", "bundle_hub_accepted").addKeyValue("version", now.version())
          .log("city bundle v{} from the hub (was v{})", now.version(), held);
    }
  }

  @Nullable String lastFailure() {
    return status.lastFailure();
  }

  void bindTo(MeterRegistry registry) {
    status.bindTo(registry, "shulian.bundle.hub.failures",
        "city bundle long-polls to the hub that failed (unreachable, bad answer, refused bundle)");
  }

  @Override
  public void close() {
    closed = true;
    Thread t = thread.getAndSet(null);
    if (t != null) {
      t.interrupt();
    }
  }

  @Override
  public String toString() {
    return "HubBundleSource{" + url + "}";
  }
}
