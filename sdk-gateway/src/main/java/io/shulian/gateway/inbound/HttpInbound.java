package io.shulian.gateway.inbound;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;

/** Installs the strict HTTP/1.1 server codec and the inbound limits on a pipeline. */
public final class HttpInbound {
  private HttpInbound() {}

  /** Installs the edge with the limits' body limit and no refusal listener (tests of the edge alone). */
  public static void install(ChannelPipeline p, Limits limits) {
    install(p, limits, limits.maxBodyBytes(), EdgeRefusals.NONE);
  }

  /**
   * Adds the decoder (strict line parsing; RFC 9112 transfer-encoding rules, so a message with both
   * Transfer-Encoding and Content-Length is rejected, never forwarded), the encoder, the request
   * sequencer (one request at a time, so pipelined requests are answered in order), the request
   * deadline, a guard that answers decoder failures with 400, and the body aggregator.
   *
   * @param maxContentBytes the largest request body this listener takes: the app body limit on
   *     the consumer, the largest envelope for that limit on the provider
   * @param edge told about every request refused here
   */
  public static void install(ChannelPipeline p, Limits limits, int maxContentBytes, EdgeRefusals edge) {
    install(p, limits, maxContentBytes, edge, r -> false);
  }

  /**
   * As above; a request whose head {@code streamed} accepts is not aggregated and not bound by the
   * per-request deadline or the body limit: its head and body pieces go on as they arrive, and the
   * handler that takes them reads with auto-read off and enforces its own per-piece deadline and
   * size limit (the data set push, docs/return-flow.md "Push").
   */
  public static void install(ChannelPipeline p, Limits limits, int maxContentBytes, EdgeRefusals edge,
      java.util.function.Predicate<io.netty.handler.codec.http.HttpRequest> streamed) {
    RequestDeadlineHandler deadline = new RequestDeadlineHandler(limits.headerTimeout(), limits.requestTimeout(), edge,
        streamed);
    p.addLast("first-bytes", deadline.firstBytes());
    p.addLast("http-decoder", new HttpRequestDecoder(new HttpDecoderConfig()
        .setMaxInitialLineLength(limits.maxInitialLineBytes())
        .setMaxHeaderSize(limits.maxHeaderBytes())
        .setMaxChunkSize(64 * 1024)
        .setStrictLineParsing(true)
        .setUseRfc9112TransferEncoding(true)
        .setAllowDuplicateContentLengths(false)));
    p.addLast("http-encoder", new HttpResponseEncoder());
    p.addLast("sequencer", new RequestSequencer());
    p.addLast("deadline", deadline);
    p.addLast("guard", new InboundGuard(edge));
    p.addLast("aggregator", new LimitedAggregator(maxContentBytes, edge, streamed));
  }
}
