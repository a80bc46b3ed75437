package io.shulian.gateway.inbound;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;

/** Installs the strict HTTP/1.1 server codec and the inbound limits on a pipeline. */
public final class HttpInbound {
  private HttpInbound() {}

  /**
   * Adds the decoder (strict line parsing; RFC 9112 transfer-encoding rules, so a message with both
   * Transfer-Encoding and Content-Length is rejected, never forwarded), the encoder, the request
   * deadline, a guard that answers decoder failures with 400, and the body aggregator.
   */
  public static void install(ChannelPipeline p, Limits limits) {
    p.addLast("http-decoder", new HttpRequestDecoder(new HttpDecoderConfig()
        .setMaxInitialLineLength(limits.maxInitialLineBytes())
        .setMaxHeaderSize(limits.maxHeaderBytes())
        .setMaxChunkSize(64 * 1024)
        .setStrictLineParsing(true)
        .setUseRfc9112TransferEncoding(true)
        .setAllowDuplicateContentLengths(false)));
    p.addLast("http-encoder", new HttpResponseEncoder());
    p.addLast("deadline", new RequestDeadlineHandler(limits.headerTimeout(), limits.requestTimeout()));
    p.addLast("guard", new InboundGuard());
    p.addLast("aggregator", new LimitedAggregator(limits.maxBodyBytes()));
  }
}
