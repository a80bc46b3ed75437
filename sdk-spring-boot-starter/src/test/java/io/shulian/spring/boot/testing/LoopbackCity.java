package io.shulian.spring.boot.testing;

import com.sun.net.httpserver.HttpServer;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.gateway.Gateway;
import io.shulian.gateway.audit.ExchangeAuditor;
import io.shulian.gateway.audit.ExchangeEvent;
import io.shulian.gateway.authenticate.ApiKeys;
import io.shulian.gateway.authenticate.PinnedPeerVerifier;
import io.shulian.gateway.authorize.ExchangePolicy;
import io.shulian.gateway.authorize.Verdict;
import io.shulian.gateway.seal.Route;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A department system (housing), its provider gateway and the civil-affairs consumer gateway, real
 * and on ephemeral loopback ports, as a Spring Boot application of civil affairs meets them. The
 * provider permits one purpose. Files for the application: {@code civil/key.p12} (password {@link
 * #KEY_PASSWORD}) and {@code housing/cert.pem}.
 */
public final class LoopbackCity implements AutoCloseable {
  public static final PartyId HOUSING =
      PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1234H"), "housing");
  public static final PartyId CIVIL = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C5678C"), null);
  /** What surefire puts in SHULIAN_KEY_PASSWORD and SHULIAN_API_KEY for this module's tests. */
  public static final String KEY_PASSWORD = "starter-test-password";
  public static final String API_KEY = "starter-test-api-key-0123456789";
  public static final String PURPOSE = "social-assistance-review";
  public static final String RESOURCE = "HOUSING-001";

  public final PartyIdentity civil;
  public final PartyIdentity housing;
  public final Path civilKeystore;
  public final Path housingCertPem;
  public final List<ExchangeEvent> providerAudit = new CopyOnWriteArrayList<>();
  public final List<ExchangeEvent> consumerAudit = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final HttpServer backend;
  private final Gateway consumer;

  private LoopbackCity(Path dir) throws Exception {
    civil = PartyIdentity.generateSelfSigned(Suite.INTL, CIVIL, Duration.ofDays(30));
    housing = PartyIdentity.generateSelfSigned(Suite.INTL, HOUSING, Duration.ofDays(30));
    Files.createDirectories(dir.resolve("civil"));
    Files.createDirectories(dir.resolve("housing"));
    civilKeystore = dir.resolve("civil/key.p12");
    civil.store(civilKeystore, KEY_PASSWORD.toCharArray());
    housingCertPem = dir.resolve("housing/cert.pem");
    Files.writeString(housingCertPem, PartyCertificate.toPem(housing.certificates()));

    backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/api/housing", ex -> {
      byte[] body = ("{\"household\":\"" + ex.getRequestURI().getPath().substring("/api/housing".length())
          + "\",\"area\":82.5,\"traceparent\":\"" + ex.getRequestHeaders().getFirst("traceparent") + "\"}")
          .getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    backend.start();
    closeables.add(() -> backend.stop(0));

    List<PartyCertificate> all = new ArrayList<>(housing.certificates());
    all.addAll(civil.certificates());
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
    ExchangePolicy permitPurpose = (h, action, grant) -> h.purpose().equals(PURPOSE)
        ? Verdict.permit(List.of("test-permit"), "v1")
        : Verdict.deny("PURPOSE_NOT_ALLOWED", "purpose not allowed", "v1");
    Gateway provider = Gateway.builder()
        .identity(housing)
        .senderTrust(PinnedSenderTrust.of(civil.certificates()))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(auditor(providerAudit))
        .policy(permitPurpose)
        .backend(RESOURCE, URI.create("http://127.0.0.1:" + backend.getAddress().getPort() + "/api/housing"),
            List.of(new io.shulian.core.catalog.Endpoint("GET", "/households/{id}")))
        .consumerCertificate(civil.encryptionCertificate())
        .providerListener(any)
        .adminListener(any)
        .eventLoops(1)
        .build().start();
    closeables.add(provider);
    consumer = Gateway.builder()
        .identity(civil)
        .senderTrust(PinnedSenderTrust.of(housing.certificates()))
        .peers(new PinnedPeerVerifier(all, Clock.systemUTC()))
        .auditor(auditor(consumerAudit))
        .apiKeys(ApiKeys.of(Map.of("case-review", ApiKeys.hash(API_KEY))))
        .route(new Route(RESOURCE, HOUSING,
            URI.create("https://127.0.0.1:" + provider.address("provider").getPort()), housing.encryptionCertificate()))
        .consumerListener(any)
        .adminListener(any)
        .eventLoops(1)
        .build().start();
    closeables.add(consumer);
  }

  /** Starts the city with its files in {@code dir} (a test's temporary directory). */
  public static LoopbackCity start(Path dir) throws Exception {
    return new LoopbackCity(dir);
  }

  /** Returns the consumer gateway's URL for the application. */
  public String consumerUrl() {
    return "http://127.0.0.1:" + consumer.address("consumer").getPort();
  }

  private static ExchangeAuditor auditor(List<ExchangeEvent> events) {
    return new ExchangeAuditor() {
      @Override
      public CompletableFuture<Void> record(ExchangeEvent event) {
        events.add(event);
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public boolean writable() {
        return true;
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }
}
