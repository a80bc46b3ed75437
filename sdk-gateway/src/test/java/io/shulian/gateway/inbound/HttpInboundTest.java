package io.shulian.gateway.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The inbound edge on an EmbeddedChannel (tests run with paranoid leak detection). */
class HttpInboundTest {
  EmbeddedChannel ch;

  EmbeddedChannel channel(int maxBody) {
    ch = new EmbeddedChannel();
    HttpInbound.install(ch.pipeline(), new Limits(maxBody, 1024, 256, Duration.ofSeconds(5), Duration.ofSeconds(30),
        Duration.ofSeconds(5), 10));
    return ch;
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
}
