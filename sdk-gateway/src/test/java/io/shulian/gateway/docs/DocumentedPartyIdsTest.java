package io.shulian.gateway.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.party.PartyId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every party id written in the README, docs/ and the CLI's sources is valid: a GB/T 2260 division
 * code and a GB 32100 credit code whose check character is right (what {@link PartyId#parse}
 * checks), so a reader who copies one gets no "wrong check character" error.
 */
class DocumentedPartyIdsTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  /** A division code, a slash and an 18-character credit code, optionally a unit. */
  static final Pattern PARTY = Pattern.compile("(?<![0-9A-Za-z])\\d{6}/[0-9A-Z]{18}(/[a-z0-9][a-z0-9-]*)?(?![0-9A-Za-z])");

  private static List<Path> documents() throws IOException {
    List<Path> out = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("sdk-examples/README.md")));
    for (String dir : List.of("docs", "sdk-gateway/src/main/java/io/shulian/gateway/cli")) {
      try (Stream<Path> s = Files.walk(ROOT.resolve(dir))) {
        s.filter(p -> p.toString().endsWith(".md") || p.toString().endsWith(".java")
            || p.toString().endsWith(".yaml")).forEach(out::add);
      }
    }
    return out;
  }

  @Test
  void partyIds_inReadmeDocsAndCliHelp_allParse() throws IOException {
    List<String> bad = new ArrayList<>();
    int seen = 0;
    for (Path f : documents()) {
      Matcher m = PARTY.matcher(Files.readString(f));
      while (m.find()) {
        seen++;
        try {
          PartyId.parse(m.group());
        } catch (IllegalArgumentException e) {
          bad.add(ROOT.relativize(f) + ": " + m.group() + " (" + e.getMessage() + ")");
        }
      }
    }
    assertThat(seen).as("party ids found").isGreaterThan(20);
    assertThat(bad).isEmpty();
  }
}
