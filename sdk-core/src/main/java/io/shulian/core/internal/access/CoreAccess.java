package io.shulian.core.internal.access;

import com.fasterxml.jackson.databind.JsonNode;
import io.shulian.core.catalog.Catalog;
import io.shulian.core.internal.crypto.PrivateKeyHandle;
import io.shulian.core.internal.crypto.PublicKeyHandle;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Reaches what the API types keep to themselves: private keys of a {@link PartyIdentity}, the
 * decoded public key of a {@link PartyCertificate}, the document tree of a {@link Catalog}. Each
 * API type registers its accessor from its static initializer; a getter initializes the type
 * first, so an accessor is always there when an instance exists.
 *
 * <p>This package is not exported by {@code io.shulian.core}: on the module path only sdk-core's
 * own code can call it. On the class path it is as reachable as any public class, which is why the
 * API itself never hands out key material.
 */
public final class CoreAccess {
  private static volatile @Nullable Keys keys;
  private static volatile @Nullable Certificates certificates;
  private static volatile @Nullable Catalogs catalogs;

  private CoreAccess() {}

  /** Key material of a party identity. */
  public interface Keys {
    PrivateKeyHandle signingKey(PartyIdentity identity);

    PrivateKeyHandle decryptionKey(PartyIdentity identity);

    /** A copy of the PKCS#8 encoding of the signing key (for certificate requests and CRLs). */
    byte[] signingPkcs8(PartyIdentity identity);

    /** A copy of the PKCS#8 encoding of the encryption key. */
    byte[] encryptionPkcs8(PartyIdentity identity);

    /** A copy of the PKCS#8 encoding of the TLS key, or null without one. */
    byte @Nullable [] tlsPkcs8(PartyIdentity identity);
  }

  /** The decoded public key of a party certificate. */
  public interface Certificates {
    PublicKeyHandle publicKey(PartyCertificate certificate);
  }

  /** The document tree of a catalog (for the policy-set hash). */
  public interface Catalogs {
    JsonNode tree(Catalog catalog);
  }

  public static void setKeys(Keys k) {
    keys = set(keys, k);
  }

  public static void setCertificates(Certificates c) {
    certificates = set(certificates, c);
  }

  public static void setCatalogs(Catalogs c) {
    catalogs = set(catalogs, c);
  }

  public static Keys keys() {
    Keys k = keys;
    if (k == null) {
      initialize(PartyIdentity.class);
      k = Objects.requireNonNull(keys, "PartyIdentity registered no accessor");
    }
    return k;
  }

  public static Certificates certificates() {
    Certificates c = certificates;
    if (c == null) {
      initialize(PartyCertificate.class);
      c = Objects.requireNonNull(certificates, "PartyCertificate registered no accessor");
    }
    return c;
  }

  public static Catalogs catalogs() {
    Catalogs c = catalogs;
    if (c == null) {
      initialize(Catalog.class);
      c = Objects.requireNonNull(catalogs, "Catalog registered no accessor");
    }
    return c;
  }

  private static <T> T set(@Nullable T current, T next) {
    Objects.requireNonNull(next, "accessor");
    if (current != null) {
      throw new IllegalStateException("accessor already registered");
    }
    return next;
  }

  private static void initialize(Class<?> c) {
    try {
      Class.forName(c.getName(), true, c.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }
}
