package io.shulian.gateway.authenticate;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.shulian.core.keys.PartyIdentity;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS 1.3 contexts for mutual TLS between gateways: BoringSSL (netty-tcnative) when available,
 * the JDK engine otherwise. Both directions verify the peer with a {@link PeerVerifier}; the
 * provider requires a client certificate. Each side presents its TLS leaf only: peers validate it
 * against the city roots they already hold (an SM2 root, GM suite, cannot even be parsed by the
 * JDK's certificate factory that TLS stacks use for peers).
 */
public final class GatewayTls {
  private static final String[] PROTOCOLS = {"TLSv1.3"};

  private GatewayTls() {}

  /** Returns the provider in use: OPENSSL (BoringSSL) if its native library loads, else JDK. */
  public static SslProvider provider() {
    return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  public static SslContext server(PartyIdentity identity, PeerVerifier peers) throws SSLException {
    return server(identity, peers, ClientAuth.REQUIRE);
  }

  private static SslContext server(PartyIdentity identity, PeerVerifier peers, ClientAuth clientAuth) throws SSLException {
    return SslContextBuilder.forServer(identity.tlsKeyManagerFactory())
        .sslProvider(provider())
        .protocols(PROTOCOLS)
        .clientAuth(clientAuth)
        .trustManager(new VerifyingTrustManager(peers))
        .build();
  }

  /**
   * Returns a server context like {@link #server} that also admits clients without a certificate
   * (the city hub: bureau operators authenticate with a bearer token instead). A client that does
   * present a certificate must still pass {@code peers}, or the handshake fails.
   */
  public static SslContext serverClientCertOptional(PartyIdentity identity, PeerVerifier peers) throws SSLException {
    return server(identity, peers, ClientAuth.OPTIONAL);
  }

  /**
   * Returns a JDK {@link javax.net.ssl.SSLContext} (for {@code java.net.http.HttpClient}) that
   * presents {@code identity}'s TLS certificate (none if null: an operator authenticated otherwise)
   * and accepts a server only if {@code peers} does. Host names are not checked; the server's
   * certificate must chain to the city root instead.
   */
  public static javax.net.ssl.SSLContext jdkClient(@org.jspecify.annotations.Nullable PartyIdentity identity,
      PeerVerifier peers) {
    try {
      javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
      if (identity == null) {
        ctx.init(new javax.net.ssl.KeyManager[0], new javax.net.ssl.TrustManager[] {new VerifyingTrustManager(peers)}, null);
        return ctx;
      }
      ctx.init(identity.tlsKeyManagerFactory().getKeyManagers(),
          new javax.net.ssl.TrustManager[] {new VerifyingTrustManager(peers)}, null);
      return ctx;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a client TLS context", e);
    }
  }

  public static SslContext client(PartyIdentity identity, PeerVerifier peers) throws SSLException {
    return SslContextBuilder.forClient()
        .keyManager(identity.tlsKeyManagerFactory())
        .sslProvider(provider())
        .protocols(PROTOCOLS)
        .trustManager(new VerifyingTrustManager(peers))
        .build();
  }

  /** Casts a JSSE peer chain to X.509 certificates (JSSE types it as Certificate[]). */
  public static X509Certificate[] x509(java.security.cert.Certificate[] chain) {
    X509Certificate[] out = new X509Certificate[chain.length];
    for (int i = 0; i < chain.length; i++) {
      out[i] = (X509Certificate) chain[i];
    }
    return out;
  }

  /** Adapts a {@link PeerVerifier} to JSSE; host names are not used, parties are. */
  static final class VerifyingTrustManager extends X509ExtendedTrustManager {
    private final PeerVerifier peers;

    VerifyingTrustManager(PeerVerifier peers) {
      this.peers = peers;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      peers.verify(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      peers.verify(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      peers.verify(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      peers.verify(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      peers.verify(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      peers.verify(chain);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
