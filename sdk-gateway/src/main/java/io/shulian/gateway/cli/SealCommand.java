package io.shulian.gateway.cli;

import io.shulian.core.envelope.Classification;
import io.shulian.core.envelope.EnvelopeEncoding;
import io.shulian.core.envelope.EnvelopeHeader;
import io.shulian.core.envelope.EnvelopeSealer;
import io.shulian.core.envelope.SealRequest;
import io.shulian.core.envelope.SealedEnvelope;
import io.shulian.core.keys.KeyUse;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Locale;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "seal",
    mixinStandardHelpOptions = true,
    description = {
      "Sign a payload with our key and encrypt it for a recipient.",
      "The envelope is a compact JWS in a compact JWE, or with --encoding framed the framed "
          + "binary stream for large data sets, sealed in constant memory. The suite follows the "
          + "recipient's encryption certificate."
    })
final class SealCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin KeyOptions keys;

  @Option(names = "--to", required = true, description = "the recipient's cert.pem (its encryption certificate is used)")
  Path to;

  @Option(names = "--resource", required = true, description = "catalog resource id")
  String resource;

  @Option(names = "--purpose", required = true, description = "purpose code, e.g. social-assistance-review")
  String purpose;

  @Option(names = "--ttl", description = "validity, e.g. 30s, 5m, 2h; at most 24h, the longest lifetime open accepts (default ${DEFAULT-VALUE})")
  String ttl = "5m";

  @Option(names = "--content-type", description = "payload media type (default ${DEFAULT-VALUE})")
  String contentType = "application/octet-stream";

  @Option(names = "--classification", description = "general, important or core (default ${DEFAULT-VALUE})")
  String classification = "general";

  @Option(names = "--in", required = true, description = "payload file, or - for standard input")
  String in;

  @Option(names = "--out", required = true, description = "envelope file, or - for standard output")
  String out;

  @Option(names = "--encoding", description = "compact (JOSE, default) or framed (binary, streamed in constant memory up to the "
    + "sealer's stream limit; `shulian open` reads both)")
  String encoding = "compact";

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Duration d = Cli.duration(spec, ttl, "--ttl");
    Classification cls;
    try {
      cls = Classification.fromWireName(classification);
    } catch (IllegalArgumentException e) {
      throw Cli.usage(spec, "--classification: " + e.getMessage());
    }
    PartyIdentity identity = keys.load(err);
    List<PartyCertificate> certs = CliSupport.readCertificates(to);
    PartyCertificate recipient = certs.stream().filter(c -> c.allows(KeyUse.ENCRYPT)).findFirst()
        .orElseThrow(() -> Cli.usage(spec, to + " holds no encryption certificate"));
    EnvelopeEncoding enc;
    try {
      enc = EnvelopeEncoding.valueOf(encoding.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw Cli.usage(spec, "--encoding must be compact or framed, got '" + encoding + "'");
    }
    EnvelopeSealer sealer = EnvelopeSealer.builder(identity).build();
    if (d.compareTo(sealer.maxLifetime()) > 0) {
      throw Cli.usage(spec, "--ttl " + ttl + " is longer than " + Cli.formatDuration(sealer.maxLifetime())
          + ": 'shulian open' (and any opener with the default maxLifetime) would refuse the envelope as EXPIRED");
    }
    SealRequest request;
    try {
      request = SealRequest.builder()
          .recipient(recipient)
          .resource(resource)
          .purpose(purpose)
          .ttl(d)
          .contentType(contentType)
          .classification(cls)
          .encoding(enc)
          .build();
    } catch (IllegalArgumentException e) {
      throw Cli.usage(spec, Objects.requireNonNullElse(e.getMessage(), e.getClass().getSimpleName()));
    }
    if (enc == EnvelopeEncoding.FRAMED) {
      long[] bytes = new long[2];
      EnvelopeHeader h;
      try (InputStream input = CliSupport.openInput(in)) {
        h = CliSupport.streamOutput(out, o -> {
          CountingOutputStream counted = new CountingOutputStream(o);
          EnvelopeHeader sealedHeader = sealer.sealStream(request, new CountingInputStream(input, bytes), counted);
          bytes[1] = counted.count;
          return sealedHeader;
        });
      }
      err.println("sealed framed envelope " + h.id() + " for " + recipient.party() + " (" + recipient.suite() + ", "
          + bytes[0] + " payload bytes, " + bytes[1] + " envelope bytes)");
      err.flush();
      return ExitCodes.OK;
    }
    byte[] payload = CliSupport.readInput(in, sealer.maxPayloadBytes());
    SealedEnvelope sealed = sealer.seal(request, payload);
    CliSupport.writeOutput(out, sealed.toByteArray());
    err.println("sealed envelope " + sealed.header().id() + " for " + recipient.party() + " ("
        + recipient.suite() + ", " + payload.length + " payload bytes, " + sealed.size() + " envelope bytes)");
    err.flush();
    return ExitCodes.OK;
  }

  /** Counts bytes read into {@code count[0]}. */
  static final class CountingInputStream extends java.io.FilterInputStream {
    private final long[] count;

    CountingInputStream(InputStream in, long[] count) {
      super(in);
      this.count = count;
    }

    @Override
    public int read() throws java.io.IOException {
      int b = super.read();
      if (b >= 0) {
        count[0]++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws java.io.IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count[0] += n;
      }
      return n;
    }
  }

  /** Counts bytes written. */
  static final class CountingOutputStream extends java.io.FilterOutputStream {
    long count;

    CountingOutputStream(java.io.OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws java.io.IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws java.io.IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
