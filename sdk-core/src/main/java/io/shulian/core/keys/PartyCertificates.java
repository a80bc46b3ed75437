package io.shulian.core.keys;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The certificates a party hands out (its {@code cert.pem}: signing, encryption and TLS), with
 * selection by use: {@code PartyCertificates.readPem(path).forUse(KeyUse.ENCRYPT)} is the
 * certificate to seal for.
 *
 * <p>Immutable and thread-safe.
 */
public final class PartyCertificates {
  private final List<PartyCertificate> all;

  private PartyCertificates(List<PartyCertificate> all) {
    this.all = List.copyOf(all);
  }

  /** Wraps certificates already read, in order. */
  public static PartyCertificates of(Collection<PartyCertificate> certificates) {
    return new PartyCertificates(new ArrayList<>(certificates));
  }

  /**
   * Reads every certificate of a PEM file, as {@link PartyCertificate#readPem} does.
   *
   * @throws KeyMaterialException as {@link PartyCertificate#readPem} throws it
   */
  public static PartyCertificates readPem(Path file) throws KeyMaterialException {
    return new PartyCertificates(PartyCertificate.readPem(file));
  }

  /** Reads every certificate of PEM text. */
  public static PartyCertificates fromPem(String pem) throws KeyMaterialException {
    return new PartyCertificates(PartyCertificate.fromPem(pem));
  }

  /** Returns every certificate, in file order. */
  public List<PartyCertificate> all() {
    return all;
  }

  /**
   * Returns the one certificate whose key may be used for {@code use}.
   *
   * @throws KeyMaterialException if none allows it, or several do (of one party after a key
   *     rotation, or of several parties): choose with {@link #withKeyId} then, never by position
   */
  public PartyCertificate forUse(KeyUse use) throws KeyMaterialException {
    List<PartyCertificate> match = all.stream().filter(c -> c.allows(use)).collect(Collectors.toList());
    if (match.isEmpty()) {
      throw new KeyMaterialException("no certificate for " + use + " among " + all.size() + " ("
          + all.stream().map(c -> c.uses().toString()).collect(Collectors.joining(", ")) + ")");
    }
    if (match.size() > 1) {
      throw new KeyMaterialException(match.size() + " certificates allow " + use + ": "
          + match.stream().map(c -> c.party() + " kid=" + c.keyId()).collect(Collectors.joining(", "))
          + "; choose one by key id");
    }
    return match.get(0);
  }

  /** Returns the certificate with key id {@code keyId}, if there is one. */
  public Optional<PartyCertificate> withKeyId(KeyId keyId) {
    return all.stream().filter(c -> c.keyId().equals(keyId)).findFirst();
  }

  @Override
  public String toString() {
    return "PartyCertificates" + all;
  }
}
