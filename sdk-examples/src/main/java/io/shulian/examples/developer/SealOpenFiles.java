package io.shulian.examples.developer;

import io.shulian.core.envelope.EnvelopeException;
import io.shulian.core.envelope.EnvelopeOpener;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.OpenedEnvelope;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyCertificates;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.core.trust.SenderTrust;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The code of docs/developer-guide.md, compiled and run by {@code DeveloperGuideTest}: a department
 * seals a payload for another department with the files {@code shulian keygen} wrote, and the other
 * department opens it. The regions between the {@code tag::} and {@code end::} comments are quoted
 * in the guide verbatim.
 */
public final class SealOpenFiles {
  private SealOpenFiles() {}

  /** Civil affairs seals {@code payload} for the housing bureau. */
  public static byte[] seal(Path civilDir, Path housingDir, char[] password, byte[] payload)
      throws Exception {
    // tag::seal[]
    PartyIdentity me = PartyIdentity.load(civilDir.resolve("key.p12"), password);
    // cert.pem holds the signing, encryption and TLS certificates: seal for the encryption one
    PartyCertificate recipient =
        PartyCertificates.readPem(housingDir.resolve("cert.pem")).forUse(KeyUse.ENCRYPT);

    EnvelopeSealer sealer = EnvelopeSealer.builder(me).build(); // build once; thread-safe
    byte[] envelope = sealer.seal(
            SealRequest.builder()
                .recipient(recipient)
                .resource("HOUSING-001")
                .purpose("social-assistance-review")
                .contentType("application/json")
                .build(),
            payload)
        .toByteArray();
    // end::seal[]
    return envelope;
  }

  /** The housing bureau opens an envelope from civil affairs; null if it is rejected. */
  public static byte @Nullable [] open(Path housingDir, Path civilDir, char[] password, byte[] envelope)
      throws Exception {
    // tag::open[]
    PartyIdentity me = PartyIdentity.load(housingDir.resolve("key.p12"), password);
    SenderTrust trust = PinnedSenderTrust.of(PartyCertificate.readPem(civilDir.resolve("cert.pem")));
    EnvelopeOpener opener = EnvelopeOpener.builder(me, trust).build(); // build once; thread-safe

    try {
      OpenedEnvelope opened = opener.open(envelope);
      System.out.println("from " + opened.header().sender() + " for " + opened.header().purpose());
      return opened.payload();
    } catch (EnvelopeException e) {
      // one reason per failure: BAD_SIGNATURE, EXPIRED, REPLAYED, UNTRUSTED_SENDER, ...
      System.out.println("rejected: " + e.reason());
      return null;
    }
    // end::open[]
  }

  /** The housing bureau answers a request it opened, for civil affairs. */
  public static byte[] reply(Path housingDir, Path civilDir, char[] password, OpenedEnvelope request, byte[] answer)
      throws Exception {
    // tag::reply[]
    PartyIdentity me = PartyIdentity.load(housingDir.resolve("key.p12"), password);
    PartyCertificate requester =
        PartyCertificates.readPem(civilDir.resolve("cert.pem")).forUse(KeyUse.ENCRYPT);
    EnvelopeSealer sealer = EnvelopeSealer.builder(me).build(); // build once; thread-safe

    // same resource, purpose, classification and content type; correlation id = the request's id
    byte[] envelope = sealer.reply(request, requester, answer).toByteArray();
    // end::reply[]
    return envelope;
  }
}
