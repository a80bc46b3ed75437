package io.shulian.gateway.seal;

import io.shulian.core.catalog.Endpoint;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.PartyId;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where the consumer gateway sends requests for one resource: the provider and its gateway, and,
 * when this gateway knows the catalog, the endpoints the resource declares.
 */
public final class Route {
  private final String resource;
  private final PartyId provider;
  private final URI endpoint;
  private final PartyCertificate encryptionCertificate;
  private final @Nullable List<Endpoint> endpoints;

  public Route(String resource, PartyId provider, URI endpoint, PartyCertificate encryptionCertificate) {
    this(resource, provider, endpoint, encryptionCertificate, null);
  }

  private Route(String resource, PartyId provider, URI endpoint, PartyCertificate encryptionCertificate,
      @Nullable List<Endpoint> endpoints) {
    this.resource = Objects.requireNonNull(resource);
    this.provider = Objects.requireNonNull(provider);
    this.endpoint = Objects.requireNonNull(endpoint);
    this.encryptionCertificate = Objects.requireNonNull(encryptionCertificate);
    this.endpoints = endpoints == null ? null : List.copyOf(endpoints);
    if (!encryptionCertificate.party().equals(provider)) {
      throw new IllegalArgumentException("route " + resource + ": encryption certificate belongs to "
          + encryptionCertificate.party() + ", not to the provider " + provider);
    }
  }

  /**
   * Returns this route with the endpoints the catalog declares for its resource: the consumer
   * gateway then refuses undeclared methods and paths itself (the provider gateway always checks).
   * An empty list means the resource declares none: every request is refused.
   */
  public Route withEndpoints(List<Endpoint> endpoints) {
    return new Route(resource, provider, endpoint, encryptionCertificate, Objects.requireNonNull(endpoints));
  }

  public String resource() {
    return resource;
  }

  public PartyId provider() {
    return provider;
  }

  public URI endpoint() {
    return endpoint;
  }

  public PartyCertificate encryptionCertificate() {
    return encryptionCertificate;
  }

  /** The endpoints the catalog declares for the resource; empty if this gateway does not know the catalog. */
  public Optional<List<Endpoint>> endpoints() {
    return Optional.ofNullable(endpoints);
  }
}
