package io.shulian.gateway.cli;

import io.shulian.core.catalog.Catalog;
import io.shulian.core.catalog.InvalidDocumentException;
import io.shulian.core.catalog.Problem;
import io.shulian.core.policy.PolicySet;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Check a catalog (and optionally a policy file against it); report every problem with its location.",
      "Exit 0 if valid, 3 if not."
    })
final class CatalogValidateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "CATALOG", description = "catalog.yaml")
  Path catalog;

  @Option(names = "--policies", description = "policies.yaml to check against the catalog")
  Path policies;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      Catalog c = Catalog.parse(catalog.toString(), CliSupport.readFile(catalog, CliSupport.MAX_DOCUMENT_BYTES));
      out.println("catalog " + catalog + ": valid, version " + c.version() + ", " + c.resources().size() + " resources, "
          + c.purposes().size() + " purposes, " + c.contentHash());
      if (policies != null) {
        PolicySet p = PolicySet.parse(c, policies.toString(), CliSupport.readFile(policies, CliSupport.MAX_DOCUMENT_BYTES));
        out.println("policies " + policies + ": valid, version " + p.version() + ", " + p.explicitRules().size()
            + " rules + " + p.derivedRules().size() + " derived; policy-set version " + p.versionHash());
      }
      out.flush();
      return ExitCodes.OK;
    } catch (InvalidDocumentException e) {
      return report(err, e);
    }
  }

  static int report(PrintWriter err, InvalidDocumentException e) {
    for (Problem p : e.problems()) {
      err.println(p);
    }
    err.println(e.problems().size() + " problem(s); the document is invalid.");
    err.flush();
    return ExitCodes.REJECTED;
  }
}
