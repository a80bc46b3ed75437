package io.shulian.hub.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of the README and docs/ ({@code [gateway](docs/gateway.md#metrics)}) names a
 * file of the repository and, into a Markdown file, a heading it has (GitHub's anchor of it), so a
 * reader following "see X" lands on X; every repository path they name in backticks exists.
 */
class DocumentedLinksTest {
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6} (.*)$");
  private static final Pattern FENCED = Pattern.compile("(?ms)^```.*?^```");

  /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
  static String anchor(String heading) {
    return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}\\- _]", "").replace(' ', '-');
  }

  private static String prose(Path md) throws IOException {
    return FENCED.matcher(Files.readString(md, StandardCharsets.UTF_8)).replaceAll("");
  }

  private static Set<String> anchors(Path md) throws IOException {
    Set<String> out = new HashSet<>();
    Matcher h = HEADING.matcher(prose(md));
    while (h.find()) {
      out.add(anchor(h.group(1)));
    }
    return out;
  }

  @Test
  void relativeLinks_inReadmeAndDocs_nameFilesAndHeadingsThatExist() throws IOException {
    List<Path> docs = new ArrayList<>(DocumentedCommandsTest.documents());
    docs.add(CliReferenceTest.REFERENCE);
    List<String> broken = new ArrayList<>();
    int seen = 0;
    for (Path doc : docs) {
      Matcher m = LINK.matcher(prose(doc));
      while (m.find()) {
        String link = m.group(1);
        if (link.matches("^[a-z]+:.*")) {
          continue;
        }
        seen++;
        int hash = link.indexOf('#');
        String file = hash < 0 ? link : link.substring(0, hash);
        Path target = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
        String where = DocumentedCommandsTest.ROOT.relativize(doc) + ": " + link;
        if (!Files.exists(target)) {
          broken.add(where + " (no such file)");
        } else if (hash >= 0 && target.toString().endsWith(".md") && !anchors(target).contains(link.substring(hash + 1))) {
          broken.add(where + " (no such heading)");
        }
      }
    }
    assertThat(seen).as("relative links").isGreaterThan(100);
    assertThat(broken).isEmpty();
  }

  /** A repository path in backticks: a top-level directory of the repository, then more of the path. */
  private static final Pattern REPO_PATH = Pattern.compile("`((?:\\.ci|benchmarks|deploy|docs|scripts|sdk-[a-z-]+|shulian-bom)/[A-Za-z0-9_./-]+)`");

  @Test
  void repositoryPaths_inReadmeAndDocs_exist() throws IOException {
    List<String> missing = new ArrayList<>();
    int seen = 0;
    for (Path doc : DocumentedCommandsTest.documents()) {
      Matcher m = REPO_PATH.matcher(Files.readString(doc, StandardCharsets.UTF_8));
      while (m.find()) {
        String path = m.group(1);
        if (path.contains("/target/")) {
          continue; // what a build or a benchmark run writes
        }
        seen++;
        if (!Files.exists(DocumentedCommandsTest.ROOT.resolve(path))) {
          missing.add(DocumentedCommandsTest.ROOT.relativize(doc) + ": " + path);
        }
      }
    }
    assertThat(seen).as("repository paths named").isGreaterThan(30);
    assertThat(missing).isEmpty();
  }

  @Test
  void anchor_isGithubsSlug() {
    assertThat(anchor("Catalog registration and review (目录动态更新)")).isEqualTo("catalog-registration-and-review-目录动态更新");
    assertThat(anchor("Shipping overhead on the gateway (issue 16 acceptance, benchmarks/gateway/shipping.sh)"))
        .isEqualTo("shipping-overhead-on-the-gateway-issue-16-acceptance-benchmarksgatewayshippingsh");
    assertThat(anchor("`limits:` and `state.redis`")).isEqualTo("limits-and-stateredis");
  }
}
