package io.shulian.gateway.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The inbound edge on an EmbeddedChannel (tests run with paranoid leak detection). */
class HttpInboundTest {
  EmbeddedChannel ch;
  final java.util.List<String> refused = new java.util.ArrayList<>();

  EmbeddedChannel channel(int maxBody) {
    ch = new EmbeddedChannel();
    Limits limits = new Limits(maxBody, 1024, 256, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(5), 10);
    HttpInbound.install(ch.pipeline(), limits, limits.maxBodyBytes(), (ctx, p) -> refused.add(p.status().code() + " " + p.code()));
    // like the exchange handlers: an exception (e.g. the aggregator's on a close mid-message) closes
    ch.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
      @Override
      public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
      }
    });
    return ch;
  }

  static FullHttpResponse ok() {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    r.headers().setInt("Content-Length", 0);
    return r;
  }

  String uriOfNextRequest() {
    FullHttpRequest r = ch.readInbound();
    if (r == null) {
      return null;
    }
    try {
      return r.uri();
    } finally {
      r.release();
    }
  }

  @AfterEach
  void tearDown() {
    ch.finishAndReleaseAll();
  }

  String written() {
    StringBuilder b = new StringBuilder();
    Object o;
    while ((o = ch.readOutbound()) != null) {
      ByteBuf buf = (ByteBuf) o;
      b.append(buf.toString(StandardCharsets.ISO_8859_1));
      buf.release();
    }
    return b.toString();
  }

  void in(String s) {
    ch.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1));
  }

  @Test
  void wellFormedRequest_isAggregatedAndPassedOn() {
    channel(1024);
    in("POST /exchange/R/x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");

    FullHttpRequest r = ch.readInbound();
    try {
      assertThat(r.uri()).isEqualTo("/exchange/R/x");
      assertThat(r.content().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
    } finally {
      r.release();
    }
  }

  @Test
  void contentLengthAndTransferEncoding_is400AndClosed() {
    channel(1024);
    in("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");

    assertThat((Object) ch.readInbound()).isNull();
    assertThat(written()).startsWith("HTTP/1.1 400").contains("application/problem+json").contains("MALFORMED_REQUEST");
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void twoDifferentContentLengths_is400() {
    channel(1024);
    in("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd");

    assertThat((Object) ch.readInbound()).isNull();
    assertThat(written()).startsWith("HTTP/1.1 400");
  }

  @Test
  void bodyOverLimit_is413AndClosed() {
    channel(10);
    in("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n");

    assertThat((Object) ch.readInbound()).isNull();
    assertThat(written()).startsWith("HTTP/1.1 413").contains("BODY_TOO_LARGE");
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void chunkedBodyGrowingOverLimit_is413() {
    channel(10);
    in("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n");

    assertThat((Object) ch.readInbound()).isNull();
    assertThat(written()).startsWith("HTTP/1.1 413");
  }

  @Test
  void headerSectionOverLimit_is431() {
    channel(1024);
    in("GET / HTTP/1.1\r\nHost: a\r\nX: " + "y".repeat(2000) + "\r\n\r\n");

    assertThat((Object) ch.readInbound()).isNull();
    assertThat(written()).startsWith("HTTP/1.1 431");
  }

  @Test
  void obsoleteLineFolding_isUnfoldedToOneLine() {
    // RFC 9112 5.2: a server either rejects obs-fold or replaces it with SP; Netty does the latter,
    // so no folded value can reach a backend or an envelope
    channel(1024);
    in("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n");

    FullHttpRequest r = ch.readInbound();
    try {
      assertThat(r.headers().get("X")).isEqualTo("a b");
    } finally {
      r.release();
    }
  }

  @Test
  void pipelinedRequests_nextHeldUntilTheFirstIsAnswered() {
    channel(1024);
    in("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\nGET /c HTTP/1.1\r\nHost: a\r\n\r\n");

    assertThat(uriOfNextRequest()).isEqualTo("/a");
    assertThat(uriOfNextRequest()).isNull();
    assertThat(ch.config().isAutoRead()).isFalse();

    ch.writeAndFlush(ok());
    ch.runPendingTasks();
    assertThat(uriOfNextRequest()).isEqualTo("/b");
    assertThat(uriOfNextRequest()).isNull();

    ch.writeAndFlush(ok());
    ch.runPendingTasks();
    assertThat(uriOfNextRequest()).isEqualTo("/c");
    assertThat(ch.config().isAutoRead()).isTrue();
    assertThat(written()).startsWith("HTTP/1.1 200");
  }

  @Test
  void pipelinedRequests_interimResponseDoesNotReleaseTheNext() {
    channel(1024);
    in("GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n");
    assertThat(uriOfNextRequest()).isEqualTo("/a");

    ch.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
    ch.runPendingTasks();

    assertThat(uriOfNextRequest()).isNull();
  }

  @Test
  void pipelinedMalformedRequest_answeredOnlyAfterTheEarlierOne() {
    channel(1024);
    in("GET /a HTTP/1.1\r\nHost: a\r\n\r\nPOST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n");
    assertThat(uriOfNextRequest()).isEqualTo("/a");
    assertThat(written()).isEmpty();
    assertThat(refused).isEmpty();

    ch.writeAndFlush(ok());
    ch.runPendingTasks();

    String out = written();
    assertThat(out).startsWith("HTTP/1.1 200");
    assertThat(out.indexOf("HTTP/1.1 400")).isPositive();
    assertThat(refused).containsExactly("400 MALFORMED_REQUEST");
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void expectContinueWithBodyOverLimit_is413ProblemAndClosed() {
    channel(10);
    in("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n");

    assertThat((Object) ch.readInbound()).isNull();
    assertThat(written()).startsWith("HTTP/1.1 413").contains("BODY_TOO_LARGE").contains("application/problem+json");
    assertThat(refused).containsExactly("413 BODY_TOO_LARGE");
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void expectContinueWithinLimit_gets100ThenTheRequestPasses() {
    channel(10);
    in("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
    assertThat(written()).startsWith("HTTP/1.1 100");

    in("abc");
    FullHttpRequest r = ch.readInbound();
    r.release();
    assertThat(refused).isEmpty();
  }

  @Test
  void unsupportedExpectation_is417AndClosed() {
    channel(10);
    in("POST / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\nContent-Length: 3\r\n\r\nabc");

    assertThat((Object) ch.readInbound()).isNull();
    assertThat(written()).startsWith("HTTP/1.1 417").contains("EXPECTATION_FAILED");
    assertThat(refused).containsExactly("417 EXPECTATION_FAILED");
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void edgeRefusals_eachReportedOnce() {
    channel(10);
    in("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");

    assertThat(written()).startsWith("HTTP/1.1 400");
    assertThat(refused).containsExactly("400 MALFORMED_REQUEST");
  }
}
