package io.shulian.gateway.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.shulian.core.trust.CityBundle;
import io.shulian.gateway.pipeline.GatewayContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hot reload of the city bundle file, run on the gateway's housekeeping thread. Reads at most
 * {@link CityBundle#MAX_BUNDLE_BYTES} + 1 bytes (a larger file is refused without being read),
 * swaps in a newer valid bundle with its routes, and then closes every gateway-to-gateway
 * connection whose peer certificate the trust now held no longer accepts (revocation).
 *
 * <p>A failed reload never ends the schedule and never drops the bundle held: it is logged,
 * counted ({@code shulian_bundle_reload_failures_total}) and shown as the {@code bundle_reload}
 * warning of {@code /readyz} until a later reload reads the file successfully. Thread-safe.
 */
final class BundleReloader {
  private static final Logger log = LoggerFactory.getLogger(BundleReloader.class);

  private final ConfigLoader.Loaded loaded;
  private final Path file;
  private final ReloadStatus status = new ReloadStatus();

  BundleReloader(ConfigLoader.Loaded loaded, Path file) {
    this.loaded = loaded;
    this.file = file;
  }

  /** Reads the bundle file and, if it holds a newer valid bundle, swaps trust and routes. */
  void run(GatewayContext ctx) {
    try {
      long before = Objects.requireNonNull(loaded.bundle, "bundle").current().map(CityBundle::version).orElse(-1L);
      CityBundle now = loaded.bundle.update(read(file, CityBundle.MAX_BUNDLE_BYTES));
      if (now.version() != before) {
        ctx.replaceDirectory(ConfigLoader.directoryFromBundle(loaded));
        log.info("reloaded city bundle v{} (was v{})", now.version(), before);
      }
      status.succeeded();
    } catch (Exception | OutOfMemoryError | StackOverflowError e) {
      // an oversized allocation or a deep parse fails this attempt only; other VM errors go up
      // to the housekeeping loop, which logs them and keeps the schedule
      long n = status.failed(ReloadStatus.describe(e));
      log.warn("city bundle {} not reloaded ({} failures so far): {}", file, n, ReloadStatus.describe(e));
    }
    // every round, not only on a new bundle: certificates also expire and trust goes stale
    int closed = ctx.closeUntrustedPeers();
    if (closed > 0) {
      log.warn("closed {} gateway connections whose TLS certificate is no longer trusted", closed);
    }
  }

  /** The last failure (time and reason) since the last successful read; null if none. */
  @Nullable String lastFailure() {
    return status.lastFailure();
  }

  void bindTo(MeterRegistry registry) {
    status.bindTo(registry, "shulian.bundle.reload.failures",
        "city bundle reloads that failed (unreadable, oversized, invalid or older file)");
  }

  /**
   * Reads a file of at most {@code max} bytes without ever holding more than {@code max} + 1.
   *
   * @throws IOException if it cannot be read or is larger than {@code max}
   */
  static byte[] read(Path file, int max) throws IOException {
    if (Files.size(file) > max) {
      throw new IOException(file + " is larger than " + max + " bytes");
    }
    byte[] b;
    try (InputStream in = Files.newInputStream(file)) {
      b = in.readNBytes(max + 1);
    }
    if (b.length > max) {
      throw new IOException(file + " is larger than " + max + " bytes");
    }
    return b;
  }
}
