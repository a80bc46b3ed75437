package io.shulian.gateway.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "fetch",
    mixinStandardHelpOptions = true,
    description = {
      "Fetch a data set through a consumer gateway into a file, completing it only once verified.",
      "Sends GET <gateway>/dataset/<resource><path> with the app's API key (from the environment "
          + "variable --api-key-env names, or --api-key-file) and the purpose, and streams the body into a temporary "
          + "file next to --out (<out>.part), showing progress on standard error. The file is renamed "
          + "to --out only when the gateway's trailer says the stream is complete and the provider's "
          + "signature over it verified (X-Shulian-Stream: verified); a stream that is cut off or "
          + "rejected leaves no --out and exits 3, and the partial file is deleted. A refusal (4xx, "
          + "5xx) prints the gateway's problem and exits 4 for 403, else 3. Exit 1 when the gateway "
          + "cannot be reached or the file cannot be written. See docs/return-flow.md."
    })
final class FetchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--gateway", required = true, description = "the consumer gateway, http://host:port")
  String gateway;

  @Option(names = "--resource", required = true, description = "the catalog code of the data set")
  String resource;

  @Option(names = "--path", description = "the path below the resource (default ${DEFAULT-VALUE})")
  String path = "/";

  @Option(names = "--purpose", required = true, description = "the purpose code stated for the request")
  String purpose;

  @Option(names = "--api-key-env", description = "environment variable holding the app's API key (default ${DEFAULT-VALUE})")
  String apiKeyEnv = "SHULIAN_API_KEY";

  @Option(names = "--api-key-file", description = "file holding the app's API key (first line), instead of --api-key-env")
  Path apiKeyFile;

  @Option(names = "--grant", description = "a grant token to present (conditional sharing)")
  String grant;

  @Option(names = "--out", required = true, description = "the data set file; written only when complete and verified")
  Path out;

  @Option(names = "--timeout", description = "longest wait for the next bytes (default ${DEFAULT-VALUE})")
  String timeout = "120s";

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    String key;
    if (apiKeyFile != null) {
      try {
        key = Files.readAllLines(apiKeyFile, StandardCharsets.UTF_8).stream().findFirst().orElse("").trim();
      } catch (IOException e) {
        throw Cli.usage(spec, "--api-key-file: cannot read " + apiKeyFile);
      }
      if (key.isEmpty()) {
        throw Cli.usage(spec, "--api-key-file: " + apiKeyFile + " holds no API key");
      }
    } else {
      key = System.getenv(apiKeyEnv);
      if (key == null || key.isEmpty()) {
        throw Cli.usage(spec, "the environment variable " + apiKeyEnv + " (--api-key-env) holds no API key");
      }
    }
    URI base;
    try {
      base = URI.create(gateway);
    } catch (IllegalArgumentException e) {
      throw Cli.usage(spec, "--gateway: not a URL: " + e.getMessage());
    }
    if (!"http".equals(base.getScheme()) || base.getHost() == null) {
      throw Cli.usage(spec, "--gateway must be http://host:port (the consumer listener)");
    }
    if (!resource.matches("[A-Za-z0-9._:-]{1,128}")) {
      throw Cli.usage(spec, "--resource: not a catalog code");
    }
    if (!path.startsWith("/") || path.contains("\r") || path.contains("\n") || path.contains(" ")) {
      throw Cli.usage(spec, "--path must start with / and contain no spaces or line breaks");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("X-Api-Key", key);
    headers.put("X-Shulian-Purpose", purpose);
    if (grant != null) {
      headers.put("X-Shulian-Grant", grant);
    }
    URI uri = URI.create(base.getScheme() + "://" + base.getHost() + ":" + (base.getPort() > 0 ? base.getPort() : 80)
        + "/dataset/" + resource + ("/".equals(path) ? "" : path));
    Path target = out.toAbsolutePath();
    Path part = target.resolveSibling(target.getFileName() + ".part");
    DatasetDownload.Result r;
    long[] shown = {0};
    try (OutputStream o = Files.newOutputStream(part)) {
      r = DatasetDownload.get(uri, headers, o, n -> {
        if (n - shown[0] >= (8 << 20)) {
          shown[0] = n;
          err.printf("%,d bytes%n", n);
          err.flush();
        }
      }, Cli.duration(spec, timeout, "--timeout"));
    } catch (IOException e) {
      Files.deleteIfExists(part);
      err.println("error: " + e.getMessage());
      return ExitCodes.FAILURE;
    }
    if (r.status() != 200) {
      Files.deleteIfExists(part);
      err.println("refused: " + r.status() + " " + new String(r.problem(), StandardCharsets.UTF_8));
      return r.status() == 403 ? ExitCodes.DENIED : ExitCodes.REJECTED;
    }
    if (!r.complete()) {
      Files.deleteIfExists(part);
      err.println("incomplete: the stream ended after " + r.bytes() + " bytes without the verified trailer; "
          + "nothing was written to " + out);
      return ExitCodes.REJECTED;
    }
    String announced = r.trailers().get(DatasetDownload.BYTES_TRAILER);
    if (announced != null && !announced.equals(Long.toString(r.bytes()))) {
      Files.deleteIfExists(part);
      err.println("incomplete: the trailer announces " + announced + " bytes, " + r.bytes() + " arrived");
      return ExitCodes.REJECTED;
    }
    Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    err.printf("complete: %,d bytes verified (%s), envelope %s%n", r.bytes(),
        r.trailers().getOrDefault(DatasetDownload.DIGEST_TRAILER, "-"), r.headers().getOrDefault("x-shulian-envelope-id", "-"));
    err.flush();
    return ExitCodes.OK;
  }
}
