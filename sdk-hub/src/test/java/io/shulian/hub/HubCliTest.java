package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;

import io.shulian.gateway.cli.ShulianCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code shulian hub …} through the real CLI entry point (ShulianCli finds it by ServiceLoader). */
class HubCliTest {
  @TempDir Path dir;
  Hub hub;

  @AfterEach
  void tearDown() {
    if (hub != null) {
      hub.close();
    }
  }

  record Run(int code, String out, String err) {}

  static Run shulian(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ShulianCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void help_listsTheHubCommand_foundThroughServiceLoader() {
    assertThat(shulian("--help").out()).contains("hub");
    assertThat(shulian("hub", "--help").out()).contains("publish");
  }

  @Test
  void hubPublish_securityOfficer_publishes_andWrongTokenOrStaleBundleFailWithExitCodes() throws Exception {
    TestHubCity city = new TestHubCity(dir);
    hub = city.startHub();
    String url = "https://127.0.0.1:" + hub.address("hub").getPort();
    Files.writeString(dir.resolve("officer.token"), TestHubCity.OFFICER_TOKEN + "\n");
    Files.writeString(dir.resolve("wrong.token"), "not-the-token");
    Files.writeString(dir.resolve("v2.jws"), city.bundle(2));
    Files.writeString(dir.resolve("v1.jws"), city.bundle(1));

    Run ok = shulian("hub", "publish", "--hub", url, "--bundle", dir.resolve("v2.jws").toString(),
        "--root", dir.resolve("root.pem").toString(), "--token-file", dir.resolve("officer.token").toString());
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("\"version\":2");
    HttpResponse<String> served = city.client(city.housing).send(HttpRequest.newBuilder(TestHubCity.url(hub, "/v1/bundle/intl"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(served.body()).isEqualTo(Files.readString(dir.resolve("v2.jws")));

    Run stale = shulian("hub", "publish", "--hub", url, "--bundle", dir.resolve("v1.jws").toString(),
        "--root", dir.resolve("root.pem").toString(), "--token-file", dir.resolve("officer.token").toString());
    assertThat(stale.code()).isEqualTo(3);
    assertThat(stale.err()).contains("BUNDLE_NOT_NEWER");

    Run wrong = shulian("hub", "publish", "--hub", url, "--bundle", dir.resolve("v1.jws").toString(),
        "--root", dir.resolve("root.pem").toString(), "--token-file", dir.resolve("wrong.token").toString());
    assertThat(wrong.code()).isEqualTo(1);
    assertThat(wrong.err()).contains("401").doesNotContain("not-the-token");

    Run plain = shulian("hub", "publish", "--hub", "http://127.0.0.1:1", "--bundle", dir.resolve("v1.jws").toString(),
        "--root", dir.resolve("root.pem").toString(), "--token-file", dir.resolve("officer.token").toString());
    assertThat(plain.code()).isEqualTo(2);
    assertThat(plain.err()).contains("https://");
  }

  @Test
  void help_everyHubCommandSummary_isOneCompleteSentence() {
    java.util.ArrayDeque<picocli.CommandLine> todo = new java.util.ArrayDeque<>();
    todo.add(ShulianCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()))
        .getSubcommands().get("hub"));
    int seen = 0;
    while (!todo.isEmpty()) {
      picocli.CommandLine c = todo.poll();
      seen++;
      String name = c.getCommandSpec().qualifiedName();
      String[] d = c.getCommandSpec().usageMessage().description();
      assertThat(d).as(name).isNotEmpty();
      assertThat(d[0]).as(name).endsWith(".").hasSizeLessThanOrEqualTo(100);
      for (picocli.CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
        assertThat(o.description()).as(name + " " + o.longestName()).hasSizeLessThanOrEqualTo(1);
      }
      c.getSubcommands().values().stream().filter(x -> !x.getCommandName().equals("help")).forEach(todo::add);
    }
    assertThat(seen).isGreaterThanOrEqualTo(16);
  }

  @Test
  void hubAction_suspendListLift_throughTheCli_andRefusalsExitWithCodes() throws Exception {
    TestHubCity city = new TestHubCity(dir);
    hub = city.startHub("signing: { intl: { ca: ca, passwordEnv: SHULIAN_KEY_PASSWORD } }");
    String url = "https://127.0.0.1:" + hub.address("hub").getPort();
    Files.writeString(dir.resolve("officer.token"), TestHubCity.OFFICER_TOKEN + "\n");
    Files.writeString(dir.resolve("reviewer.token"), TestHubCity.REVIEWER_TOKEN);
    Files.writeString(dir.resolve("v1.jws"), city.bundle(1));
    assertThat(city.publish(hub, TestHubCity.OFFICER_TOKEN, city.bundle(1)).statusCode()).isEqualTo(201);
    String[] common = {"--hub", url, "--root", dir.resolve("root.pem").toString(), "--bundle", dir.resolve("v1.jws").toString()};
    String party = city.civil.party().toString();

    Run taken = shulian(concat(new String[] {"hub", "action", "suspend-party", party, "--reason", "incident 17",
        "--token-file", dir.resolve("officer.token").toString()}, common));
    assertThat(taken.code()).as(taken.err()).isZero();
    assertThat(taken.out()).contains("\"kind\":\"suspend-party\"").contains("\"inForce\":true");

    Run reviewer = shulian(concat(new String[] {"hub", "action", "freeze-resource", "HOUSING-001", "--reason", "r",
        "--token-file", dir.resolve("reviewer.token").toString()}, common));
    assertThat(reviewer.code()).isEqualTo(1);
    assertThat(reviewer.err()).contains("ROLE_NOT_ALLOWED");

    Run twice = shulian(concat(new String[] {"hub", "action", "suspend-party", party, "--reason", "again",
        "--token-file", dir.resolve("officer.token").toString()}, common));
    assertThat(twice.code()).isEqualTo(3);
    assertThat(twice.err()).contains("ACTION_IN_FORCE");

    Run list = shulian(concat(new String[] {"hub", "action", "list", "--token-file", dir.resolve("reviewer.token").toString()},
        common));
    assertThat(list.code()).as(list.err()).isZero();
    assertThat(list.out()).contains(party);

    Run lift = shulian(concat(new String[] {"hub", "action", "lift", "1", "--reason", "cleaned",
        "--token-file", dir.resolve("officer.token").toString()}, common));
    assertThat(lift.code()).as(lift.err()).isZero();
    assertThat(lift.out()).contains("\"inForce\":false");

    Run unknown = shulian(concat(new String[] {"hub", "action", "explode", "x", "--reason", "r",
        "--token-file", dir.resolve("officer.token").toString()}, common));
    assertThat(unknown.code()).isEqualTo(2);
  }

  static String[] concat(String[] a, String[] b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
