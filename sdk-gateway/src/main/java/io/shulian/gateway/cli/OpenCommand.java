package io.shulian.gateway.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shulian.core.envelope.EnvelopeHeader;
import io.shulian.core.envelope.EnvelopeOpener;
import io.shulian.core.envelope.OpenedEnvelope;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.trust.SenderTrust;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "open",
    mixinStandardHelpOptions = true,
    description = {
      "Decrypt an envelope, verify its sender and write the payload, once per envelope.",
      "The envelope is decrypted with our key and its sender verified against trusted "
          + "certificates. The verified header goes to standard error, or as JSON to standard output "
          + "with --json. Exit code 3 when the envelope is rejected; the message says why. Compact and "
          + "framed envelopes are told apart by their first byte; a framed one is opened as a stream "
          + "into a temporary file next to --out, renamed only once the signature verified (for --out "
          + "-, copied to standard output only then). Each envelope opens once: its id is recorded in a "
          + "replay journal (default <key dir>/.shulian-replay) until it expires, and a second open "
          + "exits 3 (REPLAYED)."
    })
final class OpenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin KeyOptions keys;

  @Mixin TrustOptions trustOptions;

  @Option(names = "--in", required = true, description = "envelope file, or - for standard input")
  String in;

  @Option(names = "--out", required = true, description = "payload file, or - for standard output")
  String out;

  @Option(names = "--json", description = "print the verified header as JSON on standard output")
  boolean json;

  @Option(names = "--clock-skew", description = "allowed clock difference (default ${DEFAULT-VALUE})")
  String skew = "60s";

  @Option(names = "--state-dir", description = "where the replay journal is kept (default: " + ReplayJournal.DEFAULT_DIR
      + " in the directory of --key); runs that share it open each envelope once")
  Path stateDir;

  @Option(names = "--allow-replay", description = "open an envelope even if it was opened before; the journal is neither checked nor updated")
  boolean allowReplay;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (json && "-".equals(out)) {
      throw Cli.usage(spec, "--json prints to standard output, so --out must be a file");
    }
    PartyIdentity identity = keys.load(err);
    SenderTrust senders = trustOptions.senderTrust(spec, err);
    EnvelopeOpener.Builder ob = EnvelopeOpener.builder(identity, senders)
        .allowClockSkew(Cli.duration(spec, skew, "--clock-skew"));
    if (allowReplay) {
      err.println("warning: --allow-replay: this envelope may have been opened before; the replay journal is not used");
      err.flush();
    } else {
      Path parent = Objects.requireNonNull(keys.key.toAbsolutePath().getParent());
      ob.replayCache(new ReplayJournal(stateDir != null ? stateDir : parent.resolve(ReplayJournal.DEFAULT_DIR),
          Clock.systemUTC()));
    }
    EnvelopeOpener opener = ob.build();
    try {
      return open(opener, err);
    } catch (ReplayJournal.JournalException e) {
      // fail closed: nothing was released; exit 1 with the journal's own message
      throw new java.io.IOException(e.getMessage(), e);
    }
  }

  private int open(EnvelopeOpener opener, PrintWriter err) throws Exception {
    Map<String, String> h;
    try (InputStream input = CliSupport.openInput(in)) {
      input.mark(1);
      int first = input.read();
      input.reset();
      if (first == 0x89) {
        long[] bytes = new long[1];
        EnvelopeHeader header = CliSupport.streamOutput(out, o -> {
          SealCommand.CountingOutputStream counted = new SealCommand.CountingOutputStream(o);
          EnvelopeHeader verified = opener.openStream(input, counted);
          bytes[0] = counted.count;
          return verified;
        });
        h = header.toMap();
        h.put("encoding", "framed");
        h.put("payloadBytes", Long.toString(bytes[0]));
      } else {
        byte[] envelope = CliSupport.readLimited(input, opener.maxEnvelopeBytes(), "-".equals(in) ? "standard input" : in);
        OpenedEnvelope opened = opener.open(envelope);
        CliSupport.writeOutput(out, opened.payload());
        h = opened.header().toMap();
        h.put("signerKeyId", opened.signer().keyId().value());
        h.put("payloadBytes", Integer.toString(opened.payloadSize()));
      }
    }
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
