package io.shulian.gateway.seal;

import io.shulian.gateway.pipeline.GatewayContext;

/**
 * The audit digest of a streamed data set as the trailer and the CLI show it. The digest itself
 * comes from the core ({@code SealingStream.payloadDigest}, {@code OpeningStream.payloadDigest}
 * and {@code releasedDigest}): SM3 for a GM gateway, SHA-256 otherwise (as {@link Exchanges#digest}
 * for a payload held whole), computed in the same pass that the framed v2 signature takes over
 * the payload, so the gateway does not hash the stream a second time.
 */
final class StreamDigest {
  private StreamDigest() {}

  /** {@code sha256:} or {@code sm3:} (by the gateway's suite) and the digest in base64url. */
  static String label(GatewayContext g, byte[] digest) {
    boolean gm = g.identity().suite() == io.shulian.core.keys.Suite.GM;
    return (gm ? "sm3:" : "sha256:") + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
  }
}
