package io.shulian.gateway.seal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.shulian.core.catalog.DatasetFormat;
import io.shulian.core.envelope.EnvelopeException;
import io.shulian.core.envelope.EnvelopeHeader;
import io.shulian.core.envelope.OpeningStream;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealingStream;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.PartyId;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.authorize.Verdict;
import io.shulian.gateway.forward.BackendPool;
import io.shulian.gateway.inbound.Problem;
import io.shulian.gateway.pipeline.GatewayContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data set push (docs/return-flow.md "Push"): an upper-level department's app hands its gateway a
 * data set for named lower-level parties; the gateway decides the {@code return-flow} action per
 * receiver, masks the data set for each permitted receiver as its verdict requires, seals one
 * framed envelope per receiver (each its own content key and envelope id) and posts it to that
 * receiver's gateway, which verifies it, delivers it to its backend and answers with the digest of
 * what it delivered.
 *
 * <p><b>Sender</b> ({@link #send}, app listener): {@code POST /dataset-push/<resource>?to=<party>&to=...}.
 * A receiver that is not a configured push receiver with a known encryption certificate, that an
 * incident action covers, or that the policy denies gets nothing; each is audited on its own and
 * the others still get theirs. The app gets one result per receiver.
 *
 * <p><b>Receiver</b> ({@link #receive}, peer listener, mutual TLS): {@code POST /shulian/v1/dataset-push}
 * with {@code application/shulian-framed}. The whole envelope is verified (every segment, the
 * signature over the stream, TLS peer = sender, replay) before a byte reaches the backend.
 *
 * <p>Limit of this first version: the app's body and the envelope are held in memory, bounded by
 * the listeners' body limits (the app body limit, the envelope limit); plaintext never touches disk.
 */
final class DatasetPush {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetPush.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The app-facing route prefix. */
  static final String PREFIX = "/dataset-push/";
  /** The gateway-to-gateway path. */
  static final String PEER_PATH = "/shulian/v1/dataset-push";
  /** At most this many receivers per push. */
  static final int MAX_RECEIVERS = 32;

  private DatasetPush() {}

  /** The outcome for one receiver, as the app gets it. */
  record Result(String party, String status, String code, @Nullable String envelopeId, long bytes,
      @Nullable String digest) {
    ObjectNode json() {
      ObjectNode o = JSON.createObjectNode().put("party", party).put("status", status).put("code", code);
      o.put("bytes", bytes);
      if (envelopeId != null) {
        o.put("envelopeId", envelopeId);
      }
      if (digest != null) {
        o.put("digest", digest);
      }
      return o;
    }
  }

  // ------------------------------------------------------------------------------------------ sender

  /** Sender role: the app's push; {@code app} is the authenticated app. Releases nothing of {@code req}. */
  static void send(GatewayContext g, ChannelHandlerContext ctx, FullHttpRequest req, long t0, String app) {
    QueryStringDecoder q = new QueryStringDecoder(req.uri());
    String path = q.path();
    String resource = path.length() > PREFIX.length() ? path.substring(PREFIX.length()) : "";
    Requested asked = new Requested(app, req.method().name(), Requested.excerpt(path));
    if (req.method() != HttpMethod.POST || resource.isEmpty() || resource.indexOf('/') >= 0) {
      refuse(g, ctx, req, t0, resource, Problem.of(HttpResponseStatus.NOT_FOUND, "NOT_FOUND",
          "data sets are pushed with POST /dataset-push/<resource>?to=<party>"), asked);
      return;
    }
    Optional<DatasetFormat> format = g.dataset(resource);
    if (format.isEmpty() || g.backend(resource).isEmpty()) {
      refuse(g, ctx, req, t0, resource, Problem.of(HttpResponseStatus.NOT_FOUND, "NOT_A_DATASET",
          "this gateway provides no data set '" + ConsumerExchangeHandler.safe(resource) + "'"), asked);
      return;
    }
    String ct = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT);
    if (!ProviderDatasetStream.matches(format.get(), ct)) {
      refuse(g, ctx, req, t0, resource, Problem.of(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "DATASET_FORMAT_MISMATCH",
          "the body is not of the data set's format (" + format.get().mediaType() + ")"), asked);
      return;
    }
    String purpose = req.headers().get(ConsumerExchangeHandler.PURPOSE_HEADER);
    if (purpose == null || purpose.isEmpty()) {
      refuse(g, ctx, req, t0, resource, Problem.of(HttpResponseStatus.BAD_REQUEST, "PURPOSE_REQUIRED",
          "every push must state its purpose in " + ConsumerExchangeHandler.PURPOSE_HEADER), asked);
      return;
    }
    List<String> to = q.parameters().getOrDefault("to", List.of());
    Set<PartyId> receivers = new LinkedHashSet<>();
    try {
      for (String t : to) {
        receivers.add(PartyId.parse(t));
      }
    } catch (IllegalArgumentException e) {
      refuse(g, ctx, req, t0, resource, Problem.of(HttpResponseStatus.BAD_REQUEST, "MALFORMED_RECEIVER",
          "every 'to' must be a party id"), asked);
      return;
    }
    if (receivers.isEmpty() || receivers.size() > MAX_RECEIVERS || receivers.size() != to.size()) {
      refuse(g, ctx, req, t0, resource, Problem.of(HttpResponseStatus.BAD_REQUEST, "RECEIVERS_INVALID",
          "name 1 to " + MAX_RECEIVERS + " distinct receivers with ?to=<party>"), asked);
      return;
    }
    if (receivers.contains(g.identity().party())) {
      refuse(g, ctx, req, t0, resource, Problem.of(HttpResponseStatus.BAD_REQUEST, "RECEIVERS_INVALID",
          "a gateway does not push to its own party"), asked);
      return;
    }
    byte[] body = ByteBufUtil.getBytes(req.content());
    req.retain();
    new Fanout(g, ctx, req, t0, resource, purpose, format.get(), body, asked, new ArrayList<>(receivers)).next();
  }

  /** Pushes to the receivers one after the other (each its own envelope), then answers the app. */
  private static final class Fanout {
    final GatewayContext g;
    final ChannelHandlerContext ctx;
    final FullHttpRequest req;
    final long t0;
    final String resource;
    final String purpose;
    final DatasetFormat format;
    final byte[] body;
    final Requested asked;
    final List<PartyId> receivers;
    final List<Result> results = new ArrayList<>();
    final List<CompletableFuture<Void>> audits = new ArrayList<>();
    int at;

    Fanout(GatewayContext g, ChannelHandlerContext ctx, FullHttpRequest req, long t0, String resource, String purpose,
        DatasetFormat format, byte[] body, Requested asked, List<PartyId> receivers) {
      this.g = g;
      this.ctx = ctx;
      this.req = req;
      this.t0 = t0;
      this.resource = resource;
      this.purpose = purpose;
      this.format = format;
      this.body = body;
      this.asked = asked;
      this.receivers = receivers;
    }

    void next() {
      if (at == receivers.size()) {
        answer();
        return;
      }
      PartyId to = receivers.get(at++);
      Optional<PartyCertificate> cert = g.encryptionCertificate(to);
      Optional<URI> gateway = g.pushReceiver(to);
      if (cert.isEmpty() || gateway.isEmpty()) {
        refused(to, "UNKNOWN_RECEIVER", null, null);
        return;
      }
      Problem incident = Exchanges.incident(g.incidents(), resource, to, g.identity().party());
      if (incident != null) {
        refused(to, incident.code(), null, null);
        return;
      }
      java.util.concurrent.Executor stateCalls = g.stateCalls();
      if (stateCalls == null) {
        sealFor(to, cert.get(), gateway.get());
        return;
      }
      // with a remote shared state the decision may wait for it: never on the event loop
      try {
        stateCalls.execute(() -> sealFor(to, cert.get(), gateway.get()));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        refused(to, "STATE_UNAVAILABLE", null, null);
      }
    }

    /** Decides, masks and seals for one receiver, then posts its envelope (on the event loop). */
    private void sealFor(PartyId to, PartyCertificate cert, URI gateway) {
      Verdict v = decide(to);
      if (!v.isPermit()) {
        refused(to, v.reasons().isEmpty() ? "DENIED" : v.reasons().get(0), v, null);
        return;
      }
      // mask for this receiver (its own verdict), then seal for it alone
      ByteArrayOutputStream env = new ByteArrayOutputStream(body.length / 2 + 1024);
      StreamDigest digest = new StreamDigest(g.identity().suite() == io.shulian.core.keys.Suite.GM);
      DatasetRecords records;
      EnvelopeHeader sealedHeader;
      try (SealingStream s = g.sealer().sealingStream(SealRequest.builder()
          .recipient(cert)
          .resource(resource)
          .purpose(purpose)
          .contentType(format.mediaType())
          .build(), env)) {
        records = new DatasetRecords(format, v.hasObligations() ? v.responseFilter() : null, digest.into(s));
        records.feed(body, 0, body.length);
        records.end();
        sealedHeader = s.finish();
      } catch (DatasetRecords.DatasetException e) {
        refused(to, e.code(), v, null);
        return;
      } catch (EnvelopeException | IOException | RuntimeException e) {
        refused(to, "NOT_SEALABLE", v, null);
        return;
      }
      EnvelopeHeader h = sealedHeader;
      byte[] sent = digest.finish();
      String label = digest.label(sent);
      long bytes = records.releasedBytes();
      byte[] envelope = env.toByteArray();
      ctx.executor().execute(() -> post(to, gateway, h, v, sent, label, bytes, envelope));
    }

    private void post(PartyId to, URI gateway, EnvelopeHeader h, Verdict v, byte[] sent, String label, long bytes,
        byte[] envelope) {
      URI target = gateway.resolve(PEER_PATH);
      FullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, target.getRawPath(),
          Unpooled.wrappedBuffer(envelope));
      out.headers().set(HttpHeaderNames.CONTENT_TYPE, ProviderDatasetStream.MEDIA_TYPE);
      out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, envelope.length);
      g.peerPool().send(ctx.channel().eventLoop(), target, to, out, true).addListener(f -> {
        if (!f.isSuccess()) {
          BackendPool.UpstreamException ue = f.cause() instanceof BackendPool.UpstreamException
              ? (BackendPool.UpstreamException) f.cause() : null;
          String code = ue != null && ue.isPeerMismatch() ? "RECEIVER_MISMATCH"
              : ue != null && ue.isTimeout() ? "RECEIVER_TIMEOUT" : "RECEIVER_UNAVAILABLE";
          done(to, h, v, sent, bytes, new Result(to.toString(), "FAILED", code, h.id().toString(), bytes, label), 502);
          return;
        }
        FullHttpResponse resp = (FullHttpResponse) f.getNow();
        try {
          Result r;
          int status = resp.status().code();
          if (status == 200) {
            String got = receivedDigest(resp);
            r = label.equals(got)
                ? new Result(to.toString(), "DELIVERED", "OK", h.id().toString(), bytes, label)
                : new Result(to.toString(), "FAILED", "DIGEST_MISMATCH", h.id().toString(), bytes, label);
          } else {
            r = new Result(to.toString(), "FAILED", Exchanges.providerProblem(resp).code(), h.id().toString(), bytes,
                label);
          }
          done(to, h, v, sent, bytes, r, status);
        } finally {
          resp.release();
        }
      });
    }

    private Verdict decide(PartyId to) {
      try {
        return g.policy().decidePush(to, resource, purpose);
      } catch (RuntimeException e) {
        return Verdict.deny("POLICY_ERROR", "the policy failed", "");
      }
    }

    private static @Nullable String receivedDigest(FullHttpResponse resp) {
      try {
        JsonNode n = JSON.readTree(ByteBufUtil.getBytes(resp.content()));
        JsonNode d = n == null ? null : n.get("digest");
        return d == null || !d.isTextual() ? null : d.asText();
      } catch (IOException | RuntimeException e) {
        return null;
      }
    }

    /** A receiver that gets nothing: audited, the others go on. */
    private void refused(PartyId to, String code, @Nullable Verdict v, @Nullable EnvelopeHeader h) {
      LOG.atWarn().addKeyValue("event", "dataset_push_refused").addKeyValue("resource", resource)
          .addKeyValue("receiver", to.toString()).addKeyValue("reason", code)
          .log("data set push refused for a receiver; nothing sent to it");
      done(to, h, v, Exchanges.digest(g, new byte[0]), 0, new Result(to.toString(), "REFUSED", code, null, 0, null),
          code.equals("UNKNOWN_RECEIVER") ? 404 : 403);
    }

    private void done(PartyId to, @Nullable EnvelopeHeader h, @Nullable Verdict v, byte[] digest, long bytes, Result r,
        int status) {
      results.add(r);
      boolean ok = r.status().equals("DELIVERED");
      ExchangeEvent e = new ExchangeEvent(g.clock().instant(), h == null ? "-" : h.id().toString(),
          ExchangeEvent.Direction.REQUEST_OUT, g.identity().party().toString(), to.toString(), resource, purpose, "",
          v != null && v.isPermit(), v == null ? List.of() : v.ruleIds(), v == null ? List.of() : v.obligations(),
          ok ? List.of("PUSH") : List.of("PUSH", r.code()), v == null ? "" : v.policyVersion(), digest, bytes, status,
          ok ? "OK" : r.code(), Duration.ofNanos(System.nanoTime() - t0));
      e = asked.on(e);
      g.metrics().exchange(e);
      CompletableFuture<Void> a;
      try {
        a = g.auditor().record(e);
      } catch (RuntimeException ex) {
        a = CompletableFuture.failedFuture(ex);
      }
      audits.add(a);
      if (ok) {
        LOG.atInfo().addKeyValue("event", "dataset_pushed").addKeyValue("resource", resource)
            .addKeyValue("receiver", to.toString()).addKeyValue("envelope_id", r.envelopeId())
            .addKeyValue("bytes", bytes).log("data set pushed");
      }
      if (ctx.executor().inEventLoop()) {
        next();
      } else {
        ctx.executor().execute(this::next);
      }
    }

    private void answer() {
      CompletableFuture.allOf(audits.toArray(new CompletableFuture<?>[0])).whenComplete((x, err) ->
          ctx.executor().execute(() -> {
            try {
              FullHttpResponse resp;
              if (err != null) {
                g.metrics().auditFailure();
                resp = Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "AUDIT_UNAVAILABLE",
                    "the push could not be audited").toResponse();
              } else {
                ObjectNode o = JSON.createObjectNode().put("resource", resource);
                ArrayNode a = o.putArray("results");
                results.forEach(r -> a.add(r.json()));
                byte[] b = JSON.writeValueAsBytes(o);
                resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(b));
                resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
              }
              g.inFlightDone();
              ctx.writeAndFlush(resp);
            } catch (IOException e) {
              g.inFlightDone();
              ctx.close();
            } finally {
              ReferenceCountUtil.release(req);
            }
          }));
    }
  }

  private static void refuse(GatewayContext g, ChannelHandlerContext ctx, FullHttpRequest req, long t0, String resource,
      Problem p, Requested asked) {
    ExchangeEvent e = new ExchangeEvent(g.clock().instant(), "-", ExchangeEvent.Direction.REQUEST_OUT,
        g.identity().party().toString(), "-", ConsumerExchangeHandler.safe(resource), "-", "", false, List.of(),
        List.of(), List.of("PUSH", p.code()), "", Exchanges.digest(g, new byte[0]), req.content().readableBytes(),
        p.status().code(), p.code(), Duration.ofNanos(System.nanoTime() - t0));
    Exchanges.auditThenRespond(g, ctx, req, asked.on(e), p.toResponse());
  }

  // ---------------------------------------------------------------------------------------- receiver

  /**
   * Receiver role: a pushed framed envelope from {@code peer} (the verified TLS client). Verified
   * whole before anything is delivered; audited; answered with the digest of what was delivered.
   */
  static void receive(GatewayContext g, ChannelHandlerContext ctx, FullHttpRequest req, long t0, PartyId peer) {
    if (!ProviderDatasetStream.MEDIA_TYPE.equals(req.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
      refuseIn(g, ctx, req, t0, null, peer, Problem.of(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "NOT_FRAMED",
          "a pushed data set is a framed envelope (" + ProviderDatasetStream.MEDIA_TYPE + ")"), "NOT_FRAMED", 0, null);
      return;
    }
    ByteArrayOutputStream plain = new ByteArrayOutputStream();
    EnvelopeHeader h;
    OpeningStream o = g.requestOpener().openingStream(plain, peer);
    try {
      byte[] env = ByteBufUtil.getBytes(req.content());
      o.write(env, 0, env.length);
      h = o.finish();
    } catch (EnvelopeException e) {
      EnvelopeHeader seen = o.header().orElse(null);
      LOG.atWarn().addKeyValue("event", "dataset_push_rejected").addKeyValue("sender", peer.toString())
          .addKeyValue("reason", e.code()).log("pushed data set rejected: its envelope does not verify; nothing delivered");
      refuseIn(g, ctx, req, t0, seen, peer, Exchanges.problemFor(e), e.code(), o.segments(), null);
      return;
    } catch (IOException | RuntimeException e) {
      refuseIn(g, ctx, req, t0, o.header().orElse(null), peer, Problem.of(HttpResponseStatus.BAD_REQUEST,
          "MALFORMED_ENVELOPE", "the envelope is malformed"), "MALFORMED_ENVELOPE", o.segments(), null);
      return;
    } finally {
      o.close();
    }
    Problem incident = Exchanges.incident(g.incidents(), h.resource(), h.sender(), g.identity().party());
    if (incident != null) {
      refuseIn(g, ctx, req, t0, h, peer, incident, null, o.segments(), null);
      return;
    }
    Optional<URI> backend = g.pushDelivery(h.resource());
    if (backend.isEmpty()) {
      refuseIn(g, ctx, req, t0, h, peer, Problem.of(HttpResponseStatus.NOT_FOUND, "NO_PUSH_DELIVERY",
          "this gateway takes no pushed data set of resource " + ConsumerExchangeHandler.safe(h.resource())), null,
          o.segments(), null);
      return;
    }
    // only the resource's provider pushes it: another party of the city, trusted as a sender, is not
    if (!acceptsPush(g, h)) {
      LOG.atWarn().addKeyValue("event", "dataset_push_rejected").addKeyValue("sender", peer.toString())
          .addKeyValue("resource", ConsumerExchangeHandler.safe(h.resource())).addKeyValue("reason", "SENDER_NOT_PROVIDER")
          .log("pushed data set rejected: the sender is not the resource's provider; nothing delivered");
      refuseIn(g, ctx, req, t0, h, peer, Problem.of(HttpResponseStatus.FORBIDDEN, "SENDER_NOT_PROVIDER",
          "the sender is not the provider of resource " + ConsumerExchangeHandler.safe(h.resource())), null,
          o.segments(), null);
      return;
    }
    String cty = h.contentType();
    if (!(cty.equals(DatasetFormat.JSONL.mediaType()) || cty.equals(DatasetFormat.CSV.mediaType()))) {
      refuseIn(g, ctx, req, t0, h, peer, Problem.of(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "NOT_A_DATASET",
          "the pushed envelope does not carry a data set"), null, o.segments(), null);
      return;
    }
    byte[] data = plain.toByteArray();
    byte[] digest = Exchanges.digest(g, data);
    URI base = backend.get();
    FullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
        base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath(), Unpooled.wrappedBuffer(data));
    out.headers().set(HttpHeaderNames.HOST, base.getHost() + ":" + (base.getPort() > 0 ? base.getPort() : 80));
    out.headers().set(HttpHeaderNames.CONTENT_TYPE, cty);
    out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, data.length);
    out.headers().set("X-Shulian-Sender", h.sender().toString());
    out.headers().set("X-Shulian-Purpose", h.purpose());
    out.headers().set("X-Shulian-Envelope-Id", h.id().toString());
    long segments = o.segments();
    req.retain();
    g.backendPool().send(ctx.channel().eventLoop(), base, out, false).addListener(f -> {
      try {
        if (!f.isSuccess()) {
          refuseIn(g, ctx, req, t0, h, peer, Problem.of(HttpResponseStatus.BAD_GATEWAY, "BACKEND_UNAVAILABLE",
              "the receiving system cannot be reached"), null, segments, digest);
          return;
        }
        FullHttpResponse resp = (FullHttpResponse) f.getNow();
        int status = resp.status().code();
        resp.release();
        if (status < 200 || status > 299) {
          refuseIn(g, ctx, req, t0, h, peer, ProviderExchangeHandler.backendProblem(status), null, segments, digest);
          return;
        }
        String label = new StreamDigest(g.identity().suite() == io.shulian.core.keys.Suite.GM).label(digest);
        ObjectNode json = JSON.createObjectNode().put("envelopeId", h.id().toString()).put("bytes", data.length)
            .put("digest", label);
        byte[] b = JSON.writeValueAsBytes(json);
        FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
            Unpooled.wrappedBuffer(b));
        ok.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        ok.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, b.length);
        ExchangeEvent e = event(g, t0, h, peer, List.of("PUSH"), 200, "OK", digest, data.length)
            .withTransfer(new ExchangeEvent.Transfer(-1, segments, true));
        LOG.atInfo().addKeyValue("event", "dataset_push_delivered").addKeyValue("envelope_id", h.id().toString())
            .addKeyValue("sender", h.sender().toString()).addKeyValue("resource", h.resource())
            .addKeyValue("bytes", data.length).log("pushed data set delivered");
        Exchanges.auditThenRespond(g, ctx, req, e, ok);
      } catch (IOException e) {
        ctx.close();
        g.inFlightDone();
      } finally {
        req.release();
      }
    });
  }

  private static boolean acceptsPush(GatewayContext g, EnvelopeHeader h) {
    try {
      return g.policy().acceptsPush(h.sender(), h.resource());
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static ExchangeEvent event(GatewayContext g, long t0, @Nullable EnvelopeHeader h, PartyId peer,
      List<String> reasons, int status, String outcome, byte @Nullable [] digest, long bytes) {
    return new ExchangeEvent(g.clock().instant(), h == null ? "-" : h.id().toString(), ExchangeEvent.Direction.REQUEST_IN,
        peer.toString(), g.identity().party().toString(), h == null ? "-" : h.resource(), h == null ? "-" : h.purpose(),
        "", status == 200, List.of(), List.of(), reasons, "", digest == null ? Exchanges.digest(g, new byte[0]) : digest,
        bytes, status, outcome, Duration.ofNanos(System.nanoTime() - t0));
  }

  private static void refuseIn(GatewayContext g, ChannelHandlerContext ctx, FullHttpRequest req, long t0,
      @Nullable EnvelopeHeader h, PartyId peer, Problem p, @Nullable String cause, long segments,
      byte @Nullable [] digest) {
    List<String> reasons = cause == null || cause.equals(p.code()) ? List.of("PUSH", p.code())
        : List.of("PUSH", p.code(), cause);
    ExchangeEvent e = event(g, t0, h, peer, reasons, p.status().code(), p.code(), digest, 0)
        .withTransfer(new ExchangeEvent.Transfer(-1, segments, false));
    Exchanges.auditThenRespond(g, ctx, req, e, p.toResponse());
  }
}
