package io.shulian.gateway.cli;

import io.shulian.core.audit.AuditException;
import io.shulian.core.audit.CheckpointTrust;
import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.BundleHolder;
import io.shulian.core.trust.CityBundle;
import io.shulian.core.trust.CityTrust;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.core.trust.SenderTrust;
import io.shulian.core.trust.TrustException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The trust options shared by {@code open} and the audit commands: pinned party certificates, or
 * the city root with its CRL, or the city root and a signed bundle. Resolved the same way for
 * envelope senders and checkpoint signers.
 */
final class TrustOptions {
  @Option(names = "--trust", required = true, description = "repeatable: a PEM file or directory of *.pem, or a city bundle (*.jws). Only party "
      + "certificates: those are pinned as before. A CA certificate (root.pem) among them: the "
      + "signer's certificate must chain to it and not be revoked (CRLs from --crl or any *.pem "
      + "holding a CRL). A bundle is verified against the root and supplies the rest.")
  List<Path> trust;

  @Option(names = "--crl", description = "CRL of the city CA (PEM), when --trust gives a root")
  List<Path> crl = new ArrayList<>();

  @Option(names = "--no-crl-check", description = "insecure: accept a root without a CRL (no revocation checking)")
  boolean noCrlCheck;

  @Option(names = "--grace", description = "how long a CRL or bundle past its update time is still used (default ${DEFAULT-VALUE})")
  String grace = "1h";

  /** What --trust names: pinned party certificates, or a chain-validating city trust. */
  private static final class Resolved {
    final List<PartyCertificate> pinned;
    final Optional<CityTrust> city;
    final Optional<BundleHolder> bundle;

    Resolved(List<PartyCertificate> pinned, Optional<CityTrust> city, Optional<BundleHolder> bundle) {
      this.pinned = pinned;
      this.city = city;
      this.bundle = bundle;
    }
  }

  private Resolved resolve(CommandSpec spec, PrintWriter err) throws Exception {
    Duration g = Cli.duration(spec, grace, "--grace");
    TrustFiles.Material m = new TrustFiles.Material();
    List<Path> bundles = new ArrayList<>();
    for (Path p : trust) {
      if (p.getFileName() != null && p.getFileName().toString().endsWith(".jws")) {
        bundles.add(p);
      } else {
        TrustFiles.read(p, m);
      }
    }
    for (Path p : crl) {
      TrustFiles.read(p, m);
    }
    if (bundles.size() > 1) {
      throw Cli.usage(spec, "give at most one bundle with --trust");
    }
    if (!bundles.isEmpty()) {
      if (m.cas.isEmpty()) {
        throw Cli.usage(spec, "a bundle is verified against the city root: add --trust root.pem");
      }
      BundleHolder holder = BundleHolder.of(m.cas, Clock.systemUTC(), g, g);
      holder.update(CliSupport.readInput(bundles.get(0).toString(), CityBundle.MAX_BUNDLE_BYTES));
      return new Resolved(List.of(), Optional.of(holder.trust()), Optional.of(holder));
    }
    if (m.cas.isEmpty()) {
      if (!m.crls.isEmpty()) {
        throw Cli.usage(spec, "a CRL needs the CA certificate: add --trust root.pem");
      }
      if (m.parties.isEmpty()) {
        throw Cli.usage(spec, "--trust names no certificate");
      }
      return new Resolved(m.parties, Optional.empty(), Optional.empty());
    }
    CityTrust.Builder b = CityTrust.builder().roots(m.cas).partyCertificates(m.parties).crls(m.crls).crlGracePeriod(g);
    if (m.crls.isEmpty()) {
      if (!noCrlCheck) {
        throw Cli.usage(spec, "a root needs the CA's CRL to check revocation: add --crl crl.pem (or --no-crl-check, insecure)");
      }
      err.println("warning: --no-crl-check: revoked certificates will be accepted");
      err.flush();
      b.allowMissingCrl();
    }
    return new Resolved(List.of(), Optional.of(b.build()), Optional.empty());
  }

  /** Returns the trust for envelope senders: pinned certificates, a city trust, or a verified bundle. */
  SenderTrust senderTrust(CommandSpec spec, PrintWriter err) throws Exception {
    Resolved r = resolve(spec, err);
    if (r.bundle.isPresent()) {
      return r.bundle.get();
    }
    if (r.city.isPresent()) {
      return r.city.get();
    }
    return PinnedSenderTrust.of(r.pinned);
  }

  /**
   * Returns the trust for checkpoint signers: the pinned certificates, or any certificate of
   * {@code operator} (given with --trust, in the bundle, or presented by the log or proof) that the
   * city trust validates for signing at the checkpoint's time.
   *
   * @param operator the operator's party id; required with a city root or bundle, since the city
   *     issues signing certificates to every department and only the operator's may sign its log
   */
  CheckpointTrust checkpointTrust(CommandSpec spec, PrintWriter err, @Nullable PartyId operator) throws Exception {
    Resolved r = resolve(spec, err);
    if (r.city.isEmpty()) {
      if (operator != null) {
        for (PartyCertificate c : r.pinned) {
          if (!c.party().equals(operator)) {
            throw Cli.usage(spec, "--trust certificate " + c.keyId() + " belongs to " + c.party() + ", not to --operator "
                + operator);
          }
        }
      }
      return CheckpointTrust.pinned(r.pinned);
    }
    if (operator == null) {
      throw Cli.usage(spec, "with a city root or bundle in --trust, name the log's operator with --operator <PartyId>:"
          + " the city issues signing certificates to every department, and only the operator's may sign its log");
    }
    return city(r.city.get(), operator);
  }

  /**
   * Checkpoint signers validated by the city: a certificate of {@code operator}, chaining to a root,
   * not revoked, allowed to sign at the checkpoint's time.
   */
  static CheckpointTrust city(CityTrust city, PartyId operator) {
    return CheckpointTrust.city(city, operator);
  }
}
