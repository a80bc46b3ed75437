package io.shulian.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.shulian.core.envelope.EnvelopeOpener;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealingStream;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.authenticate.GatewayTls;
import io.shulian.gateway.authenticate.PinnedPeerVerifier;
import io.shulian.gateway.cli.DatasetDownload;
import io.shulian.gateway.seal.Route;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real consumer gateway against a provider that holds the provider's keys and tampers with the
 * framed segments of its data set stream after sealing them (as an attacker inside the TLS channel
 * could): truncation, reordering, duplication, substitution, a flipped bit, a missing terminating
 * chunk. The app must never get a stream marked complete.
 */
class DatasetTamperingEndToEndTest {
  static final String PURPOSE = "social-assistance-review";
  static final int SEG = 64 * 1024;

  final List<AutoCloseable> closeables = new ArrayList<>();
  final MemoryAuditor consumerAudit = new MemoryAuditor();
  PartyIdentity housing;
  PartyIdentity civil;
  EnvelopeSealer sealer;
  /** What the fake provider does to the list of segments (index 0: the preamble). */
  volatile UnaryOperator<List<byte[]>> tamper = UnaryOperator.identity();
  volatile boolean terminate = true;
  /** Answers for another request id than the one asked (a stream replayed or swapped between requests). */
  volatile boolean otherCorrelation;
  byte[] dataset;
  Gateway consumer;

  @BeforeEach
  void start() throws Exception {
    housing = TestIdentities.create(Suite.INTL, GatewayEndToEndTest.HOUSING);
    civil = TestIdentities.create(Suite.INTL, GatewayEndToEndTest.CIVIL);
    sealer = EnvelopeSealer.builder(housing).build();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 4000; i++) {
      b.append("{\"n\":").append(i).append(",\"pad\":\"").append("y".repeat(40)).append("\"}\n");
    }
    dataset = b.toString().getBytes(StandardCharsets.UTF_8); // about 4 segments
    List<PartyCertificate> all = new ArrayList<>(housing.certificates());
    all.addAll(civil.certificates());
    PinnedPeerVerifier peers = new PinnedPeerVerifier(all, Clock.systemUTC());
    int port = fakeProvider(GatewayTls.server(housing, peers));
    consumer = Gateway.builder()
        .identity(civil)
        .senderTrust(PinnedSenderTrust.of(housing.certificates()))
        .peers(peers)
        .auditor(consumerAudit)
        .apiKeys(ApiKeys.of(Map.of("civil-portal", ApiKeys.hash(GatewayEndToEndTest.API_KEY))))
        .route(new Route("HOUSING-001", GatewayEndToEndTest.HOUSING, URI.create("https://127.0.0.1:" + port),
            housing.encryptionCertificate()))
        .consumerListener(new InetSocketAddress("127.0.0.1", 0))
        .eventLoops(1)
        .build().start();
    closeables.add(consumer);
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  /** The framed envelope split into its preamble and its segments (each with its length prefix). */
  static List<byte[]> split(byte[] env) {
    int at = 7 + (((env[5] & 0xff) << 8) | (env[6] & 0xff));
    List<byte[]> out = new ArrayList<>();
    out.add(java.util.Arrays.copyOf(env, at));
    while (at < env.length) {
      int n = 4 + (int) (((env[at] & 0xffL) << 24) | ((env[at + 1] & 0xff) << 16) | ((env[at + 2] & 0xff) << 8)
          | (env[at + 3] & 0xff));
      out.add(java.util.Arrays.copyOfRange(env, at, at + n));
      at += n;
    }
    return out;
  }

  byte[] seal(UUID correlation) throws Exception {
    ByteArrayOutputStream env = new ByteArrayOutputStream();
    try (SealingStream s = sealer.sealingStream(SealRequest.builder().recipient(civil.encryptionCertificate())
        .resource("HOUSING-001").purpose(PURPOSE).contentType("application/jsonl").correlationId(correlation).build(),
        env)) {
      s.write(dataset, 0, dataset.length);
      s.finish();
    }
    return env.toByteArray();
  }

  int fakeProvider(SslContext tls) throws Exception {
    EnvelopeOpener opener = EnvelopeOpener.builder(housing, PinnedSenderTrust.of(civil.certificates())).build();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    closeables.add(() -> group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly());
    Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(tls.newHandler(ch.alloc()), new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
                    byte[] in = new byte[req.content().readableBytes()];
                    req.content().readBytes(in);
                    UUID id = opener.open(in).header().id();
                    List<byte[]> parts = tamper.apply(split(seal(otherCorrelation ? UUID.randomUUID() : id)));
                    DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/shulian-framed");
                    head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                    ctx.write(head);
                    for (byte[] p : parts) {
                      ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(p)));
                    }
                    if (terminate) {
                      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
                    } else {
                      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                    }
                  }
                });
          }
        }).bind("127.0.0.1", 0).sync().channel();
    closeables.add(() -> server.close().syncUninterruptibly());
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  DatasetDownload.Result fetch(ByteArrayOutputStream out) throws Exception {
    return DatasetDownload.get(URI.create("http://127.0.0.1:" + consumer.address("consumer").getPort()
        + "/dataset/HOUSING-001/households"), Map.of("X-Api-Key", GatewayEndToEndTest.API_KEY,
        "X-Shulian-Purpose", PURPOSE), out, n -> {}, Duration.ofSeconds(30));
  }

  void assertRefused(String what) throws Exception {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    DatasetDownload.Result r = fetch(got);
    assertThat(r.complete()).as(what).isFalse();
    assertThat(r.trailers()).as(what).doesNotContainKey(DatasetDownload.STREAM_TRAILER);
    assertThat(got.size()).as(what).isLessThan(dataset.length);
    DatasetStreamEndToEndTest.awaitEvents(consumerAudit, 1);
    assertThat(consumerAudit.events.get(0).outcome).as(what).isNotEqualTo("OK");
  }

  @Test
  void untampered_control_isCompleteAndIdentical() throws Exception {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    DatasetDownload.Result r = fetch(got);

    assertThat(r.complete()).isTrue();
    assertThat(got.toByteArray()).isEqualTo(dataset);
  }

  @Test
  void truncatedAtASegmentBoundaryWithTerminatingChunk_neverComplete() throws Exception {
    tamper = parts -> new ArrayList<>(parts.subList(0, parts.size() - 1));
    assertRefused("last segment dropped");
  }

  @Test
  void reorderedSegments_neverComplete() throws Exception {
    tamper = parts -> {
      List<byte[]> p = new ArrayList<>(parts);
      Collections.swap(p, 2, 3);
      return p;
    };
    assertRefused("segments 1 and 2 swapped");
  }

  @Test
  void duplicatedSegment_neverComplete() throws Exception {
    tamper = parts -> {
      List<byte[]> p = new ArrayList<>(parts);
      p.add(3, parts.get(3));
      return p;
    };
    assertRefused("segment 2 twice");
  }

  @Test
  void droppedMiddleSegment_neverComplete() throws Exception {
    tamper = parts -> {
      List<byte[]> p = new ArrayList<>(parts);
      p.remove(2);
      return p;
    };
    assertRefused("segment 1 dropped");
  }

  @Test
  void substitutedSegmentOfAnotherStream_neverComplete() throws Exception {
    byte[] other = seal(UUID.randomUUID());
    tamper = parts -> {
      List<byte[]> p = new ArrayList<>(parts);
      p.set(3, split(other).get(3));
      return p;
    };
    assertRefused("segment 2 of another envelope");
  }

  @Test
  void flippedBitInALaterSegment_neverComplete() throws Exception {
    tamper = parts -> {
      List<byte[]> p = new ArrayList<>(parts);
      byte[] s = p.get(4).clone();
      s[100] ^= 1;
      p.set(4, s);
      return p;
    };
    assertRefused("bit flipped in segment 3");
  }

  @Test
  void connectionCutBeforeTheTerminatingChunk_neverComplete() throws Exception {
    terminate = false;
    tamper = parts -> new ArrayList<>(parts.subList(0, 3));
    assertRefused("cut after segment 1, no terminating chunk");
  }

  @Test
  void answerToAnotherRequest_refusedBeforeAnyByte() throws Exception {
    otherCorrelation = true;
    ByteArrayOutputStream got = new ByteArrayOutputStream();

    DatasetDownload.Result r = fetch(got);

    assertThat(r.status()).isEqualTo(502);
    assertThat(got.size()).isZero();
    assertThat(new String(r.problem(), StandardCharsets.UTF_8)).contains("BAD_RESPONSE_ENVELOPE");
    assertThat(consumerAudit.events.get(0).outcome).isEqualTo("RESPONSE_MISMATCH");
  }
}
