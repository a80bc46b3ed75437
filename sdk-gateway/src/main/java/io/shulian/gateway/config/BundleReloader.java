package io.shulian.gateway.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.shulian.core.trust.BundleException;
import io.shulian.core.trust.CityBundle;
import io.shulian.gateway.pipeline.GatewayContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
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
 * <p>A failed reload never ends the schedule and never drops the bundle held: it is logged (once
 * per distinct reason, not on every poll of a file left broken), counted by reason
 * ({@code shulian_bundle_reload_failures_total{reason}}) and shown as the {@code bundle_reload}
 * warning of {@code /readyz} until a later reload reads the file successfully. Thread-safe.
 */
final class BundleReloader {
  private static final Logger log = LoggerFactory.getLogger(BundleReloader.class);

  private final ConfigLoader.Loaded loaded;
  private final Path file;
  private final ReloadStatus status = new ReloadStatus(REASONS, BundleReloader::reason);
  /** The reason classes of a refused reload: the bundle's own ({@link BundleException.Reason}), or the file's. */
  static final List<String> REASONS = java.util.stream.Stream.concat(
      java.util.Arrays.stream(BundleException.Reason.values()).map(r -> r.name().toLowerCase(Locale.ROOT)),
      java.util.stream.Stream.of("unreadable")).toList();

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
        log.atInfo().addKeyValue("event", "bundle_swapped").addKeyValue("version", now.version())
            .addKeyValue("previous_version", before).addKeyValue("parties", now.parties().size())
            .addKeyValue("valid_until", now.validUntil())
            .log("city bundle v{} in use (was v{})", now.version(), before);
      }
      if (status.succeeded()) {
        log.atInfo().addKeyValue("event", "bundle_reload_recovered").addKeyValue("file", file)
            .log("city bundle {} read again after {} failed reloads", file, status.failures());
      }
    } catch (Exception | OutOfMemoryError | StackOverflowError e) {
      // an oversized allocation or a deep parse fails this attempt only; other VM errors go up
      // to the housekeeping loop, which logs them and keeps the schedule
      String reason = ReloadStatus.describe(e);
      // a file left broken fails every poll: logged once per distinct reason, counted every time
      (status.failed(e) ? log.atWarn() : log.atDebug()).addKeyValue("event", "bundle_reload_refused")
          .addKeyValue("file", file).addKeyValue("reason", reason).addKeyValue("failures", status.failures())
          .log("city bundle {} not reloaded, the bundle in use stays: {}", file, reason);
    }
    // every round, not only on a new bundle: certificates also expire and trust goes stale
    int closed = ctx.closeUntrustedPeers();
    if (closed > 0) {
      log.atWarn().addKeyValue("event", "untrusted_peers_closed").addKeyValue("connections", closed)
          .log("closed {} gateway connections whose TLS certificate is no longer trusted", closed);
    }
  }

  /** The last failure (time and reason) since the last successful read; null if none. */
  @Nullable String lastFailure() {
    return status.lastFailure();
  }

  void bindTo(MeterRegistry registry) {
    status.bindTo(registry, "shulian.bundle.reload.failures",
        "city bundle reloads refused (the bundle held stays in use), by reason: a bundle refusal or an unreadable file");
  }

  /** The reason class of a failed reload, one of {@link #REASONS} or {@value ReloadStatus#OTHER}. */
  static String reason(Throwable e) {
    if (e instanceof BundleException) {
      return ((BundleException) e).reason().name().toLowerCase(Locale.ROOT);
    }
    if (e instanceof TooLarge || e instanceof OutOfMemoryError) {
      return "too_large";
    }
    if (e instanceof StackOverflowError) {
      return "malformed"; // nested too deep to parse
    }
    return e instanceof IOException ? "unreadable" : ReloadStatus.OTHER;
  }

  /** A file over the size limit, refused before it is read. */
  private static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge(Path file, int max) {
      super(file + " is larger than " + max + " bytes");
    }
  }

  /**
   * Reads a file of at most {@code max} bytes without ever holding more than {@code max} + 1.
   *
   * @throws IOException if it cannot be read or is larger than {@code max}
   */
  static byte[] read(Path file, int max) throws IOException {
    if (Files.size(file) > max) {
      throw new TooLarge(file, max);
    }
    byte[] b;
    try (InputStream in = Files.newInputStream(file)) {
      b = in.readNBytes(max + 1);
    }
    if (b.length > max) {
      throw new TooLarge(file, max);
    }
    return b;
  }
}
