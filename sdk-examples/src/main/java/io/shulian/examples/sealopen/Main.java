package io.shulian.examples.sealopen;

import io.shulian.core.envelope.Classification;
import io.shulian.core.envelope.EnvelopeException;
import io.shulian.core.envelope.EnvelopeOpener;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.OpenedEnvelope;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealedEnvelope;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.CreditCode;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.PinnedSenderTrust;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Department developer: embed sdk-core to seal a record for another department and open it there,
 * in both suites. The sender signs and encrypts to the receiver's certificate; the receiver opens
 * only what a trusted sender sealed for it, once.
 *
 * <p>Run: {@code java -cp sdk-examples/target/shulian-demo.jar io.shulian.examples.sealopen.Main}
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(System.out) ? 0 : 1);
  }

  /** Seals and opens one envelope per suite and shows that a changed or replayed one is refused. */
  public static boolean run(PrintStream out) throws Exception {
    PartyId civil = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C2002C"), "relief");
    PartyId housing = PartyId.of("440600", CreditCode.withCheckCharacter("11440600MB2C1001H"), "housing");
    boolean ok = true;
    for (Suite suite : Suite.values()) {
      // In production the identities come from the city CA (shulian ca issue, PartyIdentity.load);
      // self-signed ones are for development.
      PartyIdentity sender = PartyIdentity.generateSelfSigned(suite, civil, Duration.ofDays(1));
      PartyIdentity receiver = PartyIdentity.generateSelfSigned(suite, housing, Duration.ofDays(1));

      // the civil affairs bureau seals a request for the housing bureau
      EnvelopeSealer sealer = EnvelopeSealer.builder(sender).build();
      SealedEnvelope env = sealer.seal(SealRequest.builder()
              .recipient(receiver.encryptionCertificate())
              .resource("housing.property-registry")
              .purpose("social-assistance-review")
              .classification(Classification.IMPORTANT)
              .contentType("application/json")
              .build(),
          "{\"idNumber\":\"44060419900101123X\"}".getBytes(StandardCharsets.UTF_8));

      // the housing bureau opens it, trusting the civil affairs bureau's certificates
      EnvelopeOpener opener = EnvelopeOpener.builder(receiver, PinnedSenderTrust.of(sender.certificates())).build();
      OpenedEnvelope opened = opener.open(env.toByteArray());
      out.println(suite + ": opened envelope " + opened.header().id() + " from " + opened.header().sender() + " for "
          + opened.header().resource() + " (" + env.size() + " bytes): " + new String(opened.payload(), StandardCharsets.UTF_8));

      ok &= refused(out, "  replayed", () -> opener.open(env.toByteArray()));
      byte[] changed = env.toByteArray();
      changed[changed.length / 2] ^= 1;
      ok &= refused(out, "  one bit changed", () -> opener.open(changed));
    }
    return ok;
  }

  interface Attempt {
    OpenedEnvelope open() throws EnvelopeException;
  }

  private static boolean refused(PrintStream out, String what, Attempt a) {
    try {
      a.open();
      out.println(what + ": OPENED (unexpected)");
      return false;
    } catch (EnvelopeException e) {
      out.println(what + ": refused, " + e.code());
      return true;
    }
  }
}
