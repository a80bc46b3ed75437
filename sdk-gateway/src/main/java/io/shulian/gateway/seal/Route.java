package io.shulian.gateway.seal;

import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.PartyId;
import java.net.URI;
import java.util.Objects;

/** Where the consumer gateway sends requests for one resource: the provider and its gateway. */
public final class Route {
  private final String resource;
  private final PartyId provider;
  private final URI endpoint;
  private final PartyCertificate encryptionCertificate;

  public Route(String resource, PartyId provider, URI endpoint, PartyCertificate encryptionCertificate) {
    this.resource = Objects.requireNonNull(resource);
    this.provider = Objects.requireNonNull(provider);
    this.endpoint = Objects.requireNonNull(endpoint);
    this.encryptionCertificate = Objects.requireNonNull(encryptionCertificate);
    if (!encryptionCertificate.party().equals(provider)) {
      throw new IllegalArgumentException("route " + resource + ": encryption certificate belongs to "
          + encryptionCertificate.party() + ", not to the provider " + provider);
    }
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
}
