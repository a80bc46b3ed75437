package io.shulian.gateway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.envelope.EnvelopeOpener;
import io.shulian.core.envelope.OpenedEnvelope;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.PinnedSenderTrust;
import io.shulian.core.trust.SenderTrust;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "open",
    mixinStandardHelpOptions = true,
    description = {
      "Decrypt an envelope with our key, verify its sender against trusted certificates, and write",
      "the payload. The verified header goes to standard error, or as JSON to standard output with",
      "--json. Exit code 3 when the envelope is rejected; the message says why."
    })
final class OpenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--key", required = true, description = "our key.p12")
  Path key;

  @Option(names = "--password", description = "PKCS#12 password (else $SHULIAN_KEY_PASSWORD, else 'changeit')")
  String password;

  @Option(names = "--trust", required = true, description = "trusted sender certificate(s): a PEM file or a directory of *.pem")
  Path trust;

  @Option(names = "--in", required = true, description = "envelope file, or - for standard input")
  String in;

  @Option(names = "--out", required = true, description = "payload file, or - for standard output")
  String out;

  @Option(names = "--json", description = "print the verified header as JSON on standard output")
  boolean json;

  @Option(names = "--clock-skew", description = "allowed clock difference (default ${DEFAULT-VALUE})")
  String skew = "60s";

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (json && "-".equals(out)) {
      throw Cli.usage(spec, "--json prints to standard output, so --out must be a file");
    }
    PartyIdentity identity = CliSupport.loadIdentity(key, password, err);
    SenderTrust senders = PinnedSenderTrust.of(CliSupport.readCertificates(trust));
    EnvelopeOpener opener = EnvelopeOpener.builder(identity, senders)
        .allowClockSkew(Cli.duration(spec, skew, "--clock-skew"))
        .build();
    byte[] envelope = CliSupport.readInput(in, opener.maxEnvelopeBytes());
    OpenedEnvelope opened = opener.open(envelope);
    CliSupport.writeOutput(out, opened.payload());
    Map<String, String> h = opened.header().toMap();
    h.put("signerKeyId", opened.signer().keyId().value());
    h.put("payloadBytes", Integer.toString(opened.payloadSize()));
    if (json) {
      ObjectMapper m = new ObjectMapper();
      ObjectNode n = m.createObjectNode();
      h.forEach(n::put);
      System.out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(n));
      System.out.flush();
    } else {
      err.println("opened envelope, signature verified:");
      h.forEach((k, v) -> err.printf("  %-14s %s%n", k, v));
      err.flush();
    }
    return ExitCodes.OK;
  }
}
