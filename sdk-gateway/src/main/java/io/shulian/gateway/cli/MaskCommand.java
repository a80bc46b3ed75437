package io.shulian.gateway.cli;

import io.shulian.core.catalog.Catalog;
import io.shulian.core.catalog.CatalogField;
import io.shulian.core.catalog.CatalogResource;
import io.shulian.core.catalog.InvalidDocumentException;
import io.shulian.core.envelope.Classification;
import io.shulian.core.policy.Decision;
import io.shulian.core.policy.Obligations;
import io.shulian.core.policy.mask.MaskFunction;
import io.shulian.core.policy.mask.MaskSpec;
import io.shulian.core.policy.mask.Masker;
import io.shulian.core.policy.mask.MaskingException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "mask",
    mixinStandardHelpOptions = true,
    description = {
      "Apply the masking obligations of a PERMIT decision to JSON records.",
      "The decision comes from 'shulian policy check --out'; the input is a JSON record or an "
          + "array of records, masked while streaming in constant memory. A response whose shape does "
          + "not match the catalog's field paths is refused as a whole. Exit 3 if the input or decision "
          + "is refused."
    })
final class MaskCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--decision", required = true, description = "decision.json printed by 'shulian policy check'")
  Path decision;

  @Option(names = "--catalog", description = "catalog.yaml: with --resource, every masked field must be a field of it")
  Path catalog;

  @Option(names = "--resource", description = "resource code the payload belongs to (with --catalog)")
  String resource;

  @Option(names = "--drop-unlisted", description = "drop members no catalog field names (always on for a decision or "
      + "resource with important or core fields)")
  boolean dropUnlisted;

  @Option(names = "--hash-key-file", description = "provider secret for the hash function (at least 16 bytes)")
  Path hashKeyFile;

  @Option(names = "--in", required = true, description = "JSON input file")
  Path in;

  @Option(names = "--out", required = true, description = "JSON output file (written atomically)")
  Path out;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Obligations ob;
    try {
      ob = Decision.obligationsFromJson(CliSupport.readInput(decision.toString(), 1024 * 1024));
    } catch (IllegalArgumentException e) {
      err.println("shulian mask: decision refused: " + e.getMessage());
      err.flush();
      return ExitCodes.REJECTED;
    }
    List<String> listed = new ArrayList<>(ob.catalogFields());
    boolean drop = dropUnlisted || ob.dropUnlisted();
    if (catalog != null) {
      if (resource == null) {
        throw Cli.usage(spec, "--catalog needs --resource");
      }
      Catalog c;
      try {
        c = Catalog.parse(catalog.toString(), CliSupport.readFile(catalog, CliSupport.MAX_DOCUMENT_BYTES));
      } catch (InvalidDocumentException e) {
        return CatalogValidateCommand.report(err, e);
      }
      CatalogResource r = c.resource(resource).orElseThrow(() -> Cli.usage(spec, "--resource: " + resource + " is not in " + catalog));
      List<String> named = new ArrayList<>(ob.masks().keySet());
      named.addAll(listed);
      for (String f : named) {
        if (r.field(f).isEmpty()) {
          err.println("shulian mask: decision names field " + f + ", which is not a field of " + resource);
          err.flush();
          return ExitCodes.REJECTED;
        }
      }
      for (CatalogField f : r.fields()) {
        if (!listed.contains(f.name())) {
          listed.add(f.name());
        }
        // as the policy engine does: a resource with important or core data keeps to its catalog fields
        drop |= f.classification() != Classification.GENERAL;
      }
    }
    Masker.Builder mb;
    try {
      mb = Masker.builder().fields(ob.masks()).listFields(listed).dropUnlisted(drop);
    } catch (IllegalArgumentException e) {
      err.println("shulian mask: decision refused: " + e.getMessage());
      err.flush();
      return ExitCodes.REJECTED;
    }
    boolean hashes = false;
    for (Map.Entry<String, MaskSpec> e : ob.masks().entrySet()) {
      hashes |= e.getValue().function() == MaskFunction.HASH;
    }
    if (hashes) {
      if (hashKeyFile == null) {
        throw Cli.usage(spec, "the decision hashes fields; give the provider secret with --hash-key-file");
      }
      byte[] k = CliSupport.readFile(hashKeyFile, CliSupport.MAX_SECRET_FILE_BYTES);
      if (k.length < 16) {
        throw Cli.usage(spec, "--hash-key-file must hold at least 16 bytes");
      }
      mb.hashKey(k);
    }
    Masker masker;
    try {
      masker = mb.build();
    } catch (IllegalArgumentException e) {
      err.println("shulian mask: decision refused: " + e.getMessage());
      err.flush();
      return ExitCodes.REJECTED;
    }
    Path abs = out.toAbsolutePath();
    Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
    try {
      try (InputStream is = new BufferedInputStream(Files.newInputStream(in), 64 * 1024);
          OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 64 * 1024)) {
        masker.mask(is, os);
      }
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (MaskingException e) {
      err.println("shulian mask: input rejected (" + e.code() + "): " + e.getMessage());
      err.flush();
      return ExitCodes.REJECTED;
    } finally {
      Files.deleteIfExists(tmp);
    }
    err.println("masked " + in + " -> " + out + " (" + ob.masks().size() + " field obligation(s))");
    err.flush();
    return ExitCodes.OK;
  }
}
