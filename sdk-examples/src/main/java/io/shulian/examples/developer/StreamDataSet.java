package io.shulian.examples.developer;

import io.shulian.core.envelope.EnvelopeException;
import io.shulian.core.envelope.EnvelopeHeader;
import io.shulian.core.envelope.EnvelopeOpener;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.OpeningStream;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealingStream;
import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyCertificates;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.PinnedSenderTrust;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The streaming code of docs/developer-guide.md ("Streaming data sets"), compiled and run by
 * {@code StreamingGuideTest}: the housing bureau seals a data set file pushed in pieces, and civil
 * affairs opens it from the pieces it receives, completing the output file only once verified.
 */
public final class StreamDataSet {
  private StreamDataSet() {}

  /** The housing bureau seals the data set in {@code records} for civil affairs into {@code envelopeFile}. */
  public static void seal(Path housingDir, Path civilDir, char[] password, Path records, Path envelopeFile)
      throws Exception {
    // tag::push-seal[]
    PartyIdentity me = PartyIdentity.load(housingDir.resolve("key.p12"), password);
    PartyCertificate recipient =
        PartyCertificates.readPem(civilDir.resolve("cert.pem")).forUse(KeyUse.ENCRYPT);
    EnvelopeSealer sealer = EnvelopeSealer.builder(me).build();
    SealRequest request = SealRequest.builder()
        .recipient(recipient)
        .resource("HOUSING-001")
        .purpose("social-assistance-review")
        .contentType("application/jsonl")
        .build();

    try (OutputStream wire = Files.newOutputStream(envelopeFile);
        InputStream in = Files.newInputStream(records);
        SealingStream sealing = sealer.sealingStream(request, wire)) {
      byte[] piece = new byte[16384];
      for (int n; (n = in.read(piece)) != -1; ) {
        sealing.write(piece, 0, n); // each 64 KiB segment goes to `wire` as soon as it is sealed
      }
      sealing.finish(); // signs, writes the last segment; without it (an exception) there is no envelope
    }
    // end::push-seal[]
  }

  /**
   * Civil affairs opens the envelope as its pieces arrive into {@code out}; returns false (and
   * leaves no {@code out}) if it is rejected.
   */
  public static boolean open(Path civilDir, Path housingDir, char[] password, InputStream arriving, Path out)
      throws Exception {
    // tag::push-open[]
    PartyIdentity me = PartyIdentity.load(civilDir.resolve("key.p12"), password);
    EnvelopeOpener opener = EnvelopeOpener.builder(me,
        PinnedSenderTrust.of(PartyCertificate.readPem(housingDir.resolve("cert.pem")))).build();

    Path part = out.resolveSibling(out.getFileName() + ".part");
    try (OutputStream plain = Files.newOutputStream(part);
        OpeningStream opening = opener.openingStream(plain, null)) {
      byte[] piece = new byte[16384];
      for (int n; (n = arriving.read(piece)) != -1; ) {
        opening.write(piece, 0, n); // plaintext of each authenticated segment goes to `plain`
      }
      EnvelopeHeader verified = opening.finish(); // last segment, signature over all, replay
      System.out.println("data set from " + verified.sender() + ": " + opening.payloadBytes() + " bytes");
    } catch (EnvelopeException e) {
      Files.delete(part); // what was written is not the sender's: never use it
      System.out.println("rejected: " + e.reason());
      return false;
    }
    Files.move(part, out, StandardCopyOption.ATOMIC_MOVE);
    return true;
    // end::push-open[]
  }
}
