package io.shulian.gateway.cli;

import io.shulian.core.catalog.Catalog;
import io.shulian.core.catalog.CatalogDiff;
import io.shulian.core.catalog.InvalidDocumentException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "diff",
    mixinStandardHelpOptions = true,
    description = {
      "List resources and fields added (+), removed (-) or changed (~) from OLD to NEW.",
      "Exit 0 whether or not they differ; 3 if either catalog is invalid."
    })
final class CatalogDiffCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "OLD", description = "the catalog in force")
  Path older;

  @Parameters(index = "1", paramLabel = "NEW", description = "the proposed catalog")
  Path newer;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Catalog a;
    Catalog b;
    try {
      a = Catalog.parse(older.toString(), CliSupport.readFile(older, CliSupport.MAX_DOCUMENT_BYTES));
      b = Catalog.parse(newer.toString(), CliSupport.readFile(newer, CliSupport.MAX_DOCUMENT_BYTES));
    } catch (InvalidDocumentException e) {
      return CatalogValidateCommand.report(spec.commandLine().getErr(), e);
    }
    CatalogDiff d = CatalogDiff.between(a, b);
    out.println("catalog " + a.version() + " -> " + b.version() + ": " + d.changes().size() + " change(s)");
    for (CatalogDiff.Change c : d.changes()) {
      out.println(c);
    }
    out.flush();
    return ExitCodes.OK;
  }
}
