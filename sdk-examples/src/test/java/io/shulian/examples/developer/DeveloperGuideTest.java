package io.shulian.examples.developer;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.core.envelope.EnvelopeOpener;
import io.shulian.core.envelope.OpenedEnvelope;
import io.shulian.core.keys.PartyCertificate;
import io.shulian.core.keys.PartyIdentity;
import io.shulian.core.keys.Suite;
import io.shulian.core.party.PartyId;
import io.shulian.core.trust.PinnedSenderTrust;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/developer-guide.md: its code is {@link SealOpenFiles}, which runs, and its coordinates are the build's. */
class DeveloperGuideTest {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path GUIDE = ROOT.resolve("docs/developer-guide.md");
  static final Path SOURCE =
      ROOT.resolve("sdk-examples/src/main/java/io/shulian/examples/developer/SealOpenFiles.java");

  @TempDir Path tmp;

  /** The lines between {@code // tag::name[]} and {@code // end::name[]}, without their common indent. */
  static String region(String source, String name) {
    List<String> lines = source.lines().toList();
    int from = lines.indexOf(lines.stream().filter(l -> l.strip().equals("// tag::" + name + "[]")).findFirst().orElseThrow());
    int to = lines.indexOf(lines.stream().filter(l -> l.strip().equals("// end::" + name + "[]")).findFirst().orElseThrow());
    List<String> body = lines.subList(from + 1, to);
    int indent = body.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    List<String> out = new ArrayList<>();
    for (String l : body) {
      out.add(l.isBlank() ? "" : l.substring(indent));
    }
    return String.join("\n", out);
  }

  /** The fenced block after {@code <!-- marker -->} in the guide. */
  static String block(String guide, String marker) {
    Matcher m = Pattern.compile("<!-- " + Pattern.quote(marker) + " -->\\n```\\w+\\n(.*?)\\n```", Pattern.DOTALL)
        .matcher(guide);
    assertThat(m.find()).as("block %s in the guide", marker).isTrue();
    return m.group(1);
  }

  @Test
  void guide_quotesTheCompiledSampleExactly() throws Exception {
    String guide = Files.readString(GUIDE);
    String source = Files.readString(SOURCE);
    for (String name : List.of("seal", "open", "reply")) {
      assertThat(block(guide, "snippet:" + name)).as(name).isEqualTo(region(source, name));
    }
  }

  @Test
  void guide_coordinatesAreTheBuilds() throws Exception {
    String parent = Files.readString(ROOT.resolve("pom.xml"));
    String core = Files.readString(ROOT.resolve("sdk-core/pom.xml"));
    String group = first(parent, "<groupId>([^<]+)</groupId>");
    String version = first(parent, "<artifactId>shulian-parent</artifactId>\\s*<version>([^<]+)</version>");
    assertThat(first(core, "</parent>\\s*<artifactId>([^<]+)</artifactId>")).isEqualTo("sdk-core");
    assertThat(block(Files.readString(GUIDE), "coordinates")).isEqualTo(String.join("\n",
        "<dependency>",
        "  <groupId>" + group + "</groupId>",
        "  <artifactId>sdk-core</artifactId>",
        "  <version>" + version + "</version>",
        "</dependency>"));
  }

  @Test
  void guide_installStep_installsTheModulesItNamesWithSourcesAndJavadoc() throws Exception {
    assertThat(block(Files.readString(GUIDE), "install")).isEqualTo("mvn -B install -DskipTests");
    String parent = Files.readString(ROOT.resolve("pom.xml"));
    String version = first(parent, "<artifactId>shulian-parent</artifactId>\\s*<version>([^<]+)</version>");
    for (String module : List.of("sdk-core", "sdk-gateway")) {
      assertThat(parent).as("root modules").contains("<module>" + module + "</module>");
      String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
      assertThat(first(pom, "<parent>[\\s\\S]*?<version>([^<]+)</version>[\\s\\S]*?</parent>")).as(module).isEqualTo(version);
      // the -sources.jar and -javadoc.jar the guide promises are attached by these two plugins
      assertThat(pom).as(module).contains("<artifactId>maven-source-plugin</artifactId>")
          .contains("<artifactId>maven-javadoc-plugin</artifactId>");
    }
  }

  private static String first(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertThat(m.find()).as(regex).isTrue();
    return m.group(1);
  }

  static final char[] PW = "guide-only".toCharArray();

  /** Keygen files of civil affairs and the housing bureau, password {@link #PW}. */
  private static void writeBoth(Path civil, Path housing) throws Exception {
    write(civil, PartyId.parse("440600/11440600MB2C5678CX"), PW);
    write(housing, PartyId.parse("440600/11440600MB2C1234HN/housing"), PW);
  }

  @Test
  void sample_sealsWithKeygenFiles_andTheOtherDepartmentOpens() throws Exception {
    Path civil = tmp.resolve("civil");
    Path housing = tmp.resolve("housing");
    writeBoth(civil, housing);
    byte[] payload = "{\"query\":\"household\"}".getBytes(StandardCharsets.UTF_8);

    byte[] envelope = SealOpenFiles.seal(civil, housing, PW, payload);

    assertThat(SealOpenFiles.open(housing, civil, PW, envelope)).isEqualTo(payload);
    byte[] changed = envelope.clone();
    changed[changed.length / 2] ^= 1;
    assertThat(SealOpenFiles.open(housing, civil, PW, changed)).isNull();
  }

  @Test
  void sample_housingReplies_civilOpensTheAnswerCorrelated() throws Exception {
    Path civil = tmp.resolve("civil");
    Path housing = tmp.resolve("housing");
    writeBoth(civil, housing);
    byte[] question = "{\"query\":\"household\"}".getBytes(StandardCharsets.UTF_8);
    byte[] answer = "{\"members\":3}".getBytes(StandardCharsets.UTF_8);

    OpenedEnvelope request = opener(housing, civil, PW).open(SealOpenFiles.seal(civil, housing, PW, question));
    byte[] reply = SealOpenFiles.reply(housing, civil, PW, request, answer);

    OpenedEnvelope opened = opener(civil, housing, PW).open(reply);
    assertThat(opened.payload()).isEqualTo(answer);
    assertThat(opened.header().correlationId()).contains(request.header().id());
    assertThat(opened.header().sender()).isEqualTo(request.header().receiver());
    assertThat(opened.header().resource()).isEqualTo("HOUSING-001");
  }

  private static EnvelopeOpener opener(Path meDir, Path peerDir, char[] pw) throws Exception {
    return EnvelopeOpener.builder(PartyIdentity.load(meDir.resolve("key.p12"), PW),
        PinnedSenderTrust.of(PartyCertificate.readPem(peerDir.resolve("cert.pem")))).build();
  }

  /** What {@code shulian keygen} writes: key.p12 and cert.pem. */
  static void write(Path dir, PartyId party, char[] pw) throws Exception {
    PartyIdentity id = PartyIdentity.generateSelfSigned(Suite.INTL, party, Duration.ofDays(1));
    id.store(dir.resolve("key.p12"), pw);
    Files.writeString(dir.resolve("cert.pem"), PartyCertificate.toPem(id.certificates()));
  }
}
