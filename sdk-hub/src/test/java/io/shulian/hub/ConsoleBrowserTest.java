package io.shulian.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shulian.core.audit.AuditDecision;
import io.shulian.core.audit.AuditLog;
import io.shulian.core.audit.AuditLogReader;
import io.shulian.core.audit.AuditRecord;
import io.shulian.core.audit.Direction;
import io.shulian.gateway.ship.EventShipper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console as a person uses it, in headless Chromium (Debian {@code chromium} and
 * {@code chromium-driver}; skipped when missing, failing under {@code CI=true}), on a real hub
 * whose collector received a real gateway log with a replayed envelope in it. One browser for the
 * whole class: a viewer sees but cannot change; the security officer sees the flow on the
 * overview, acknowledges the alert the replay raised (with script in the note, shown as text and
 * never run), and freezes a resource through the confirmation step. With
 * {@code -Dshulian.screenshots=docs/console} it writes the pages' screenshots there.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final String RESOURCE = "housing.provident-fund.balance";
  static final String EVIL_NOTE = "<img src=x onerror=alert(1)><script>alert(2)</script> checked";
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Only the replay raises an alert here: no new-consumer alerts, and the test certificates (30 days) are not "expiring". */
  static final String QUIET = "alerts: { newConsumer: false, certificateExpiry: 1d }";

  @TempDir static Path dir;
  static TestHubCity city;
  static Hub hub;
  static String origin;
  static WebDriver driver;
  static WebDriverWait wait;

  @BeforeAll
  static void start() throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present) {
      if ("true".equals(System.getenv("CI"))) {
        Assertions.fail("CI=true but /usr/bin/chromium or /usr/bin/chromedriver is missing (apt-get install chromium "
            + "chromium-driver)");
      }
      Assumptions.assumeTrue(false, "chromium / chromedriver not installed");
    }
    city = new TestHubCity(dir);
    hub = Hub.load(ConsoleSecurityTest.consoleYaml(city, "signing: { intl: { ca: ca, passwordEnv: SHULIAN_KEY_PASSWORD } }",
        QUIET), TestHubCity.ENV::get).start();
    origin = "https://127.0.0.1:" + hub.address("hub").getPort();
    assertThat(city.publish(hub, TestHubCity.OFFICER_TOKEN, city.bundle(1)).statusCode()).isEqualTo(201);
    shipHousingLogWithAReplay();

    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM.toFile());
    // the test city's CA is not in the browser's trust store
    o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--ignore-certificate-errors",
        "--window-size=1400,1000", "--lang=en");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, java.util.logging.Level.ALL);
    o.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    driver = new ChromeDriver(service, o);
    wait = new WebDriverWait(driver, Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (hub != null) {
      hub.close();
    }
  }

  /** Housing's gateway log: six served requests from civil affairs and one refused as replayed, shipped to the collector. */
  static final Instant SHIPPED_AT = Instant.now();

  static void shipHousingLogWithAReplay() throws Exception {
    Path log = dir.resolve("housing-audit");
    try (AuditLog audit = AuditLog.builder(log, city.housing).open()) {
      for (int i = 0; i < 7; i++) {
        boolean replay = i == 6;
        audit.append(AuditRecord.builder().time(SHIPPED_AT).envelopeId("env-" + i).direction(Direction.REQUEST_IN)
            .sender(TestHubCity.CIVIL).receiver(city.housing.party()).resource(RESOURCE).purpose("social-assistance-review")
            .decision(replay ? AuditDecision.deny("REPLAYED") : AuditDecision.permit()).status(replay ? 409 : 200)
            .outcome(replay ? "REPLAYED" : "OK").latency(Duration.ofMillis(3)).build()).get();
      }
    }
    HttpResponse<String> r = city.client(city.housing).send(HttpRequest.newBuilder(TestHubCity.url(hub, "/v1/events"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(EventShipper.toJson(AuditLogReader.readBatch(log, 0, 7, null))))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(TestWait.within(Duration.ofSeconds(20), () -> officer("/v1/admin/alerts").contains("rejected_envelope")))
        .as("the replay raised an alert").isTrue();
  }

  static String officer(String path) {
    try {
      HttpClient c = city.client(null);
      return c.send(HttpRequest.newBuilder(TestHubCity.url(hub, path)).header("Authorization", "Bearer "
          + TestHubCity.OFFICER_TOKEN).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static void logIn(String name, String password) {
    driver.get(origin + "/console/");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
    driver.findElement(By.id("login-name")).clear();
    driver.findElement(By.id("login-name")).sendKeys(name);
    driver.findElement(By.id("login-password")).sendKeys(password);
    driver.findElement(By.id("login-submit")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("page-overview")));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#flow-table tr[data-flow]")));
  }

  static void logOut() {
    driver.findElement(By.id("logout")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("login-form")));
  }

  static void page(String name) {
    driver.findElement(By.cssSelector("#nav button[data-page='" + name + "']")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("page-" + name)));
  }

  static void screenshot(String name) throws Exception {
    String to = System.getProperty("shulian.screenshots");
    if (to == null || to.isBlank()) {
      return;
    }
    Path base = Path.of("").toAbsolutePath();
    if (base.getFileName().toString().equals("sdk-hub")) {
      base = base.getParent(); // surefire runs in the module; the path is given from the repository root
    }
    Path out = base.resolve(to);
    Files.createDirectories(out);
    Files.write(out.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
  }

  static void noDialogOpened() {
    assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
  }

  /** Runs {@code js} (which ends by calling {@code done(result)}) in the page and returns its result. */
  static Object inPage(String js) {
    return ((JavascriptExecutor) driver).executeAsyncScript("const done = arguments[arguments.length - 1];\n" + js);
  }

  @Test
  @Order(1)
  void viewer_seesTheConsole_butCannotChangeAnything() throws Exception {
    logIn("vera", ConsoleSecurityTest.VERA_PW);
    assertThat(driver.findElement(By.id("who")).getText()).isEqualTo("vera (viewer)");
    page("alerts");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#alerts-table tr[data-alert-id]")));
    assertThat(driver.findElements(By.cssSelector("#alerts-table button.ack"))).isEmpty();
    page("actions");
    assertThat(driver.findElement(By.id("action-form")).isDisplayed()).isFalse();
    // the page's own script, with the session's CSRF token, is still refused by the hub
    Object status = inPage("fetch('/console/api/session').then(r => r.json()).then(s => fetch('/v1/admin/actions', {method: "
        + "'POST', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf}, body: JSON.stringify({kind: "
        + "'freeze-resource', target: 'housing.x', reason: 'viewer'})})).then(r => done(r.status), e => done(String(e)));");
    assertThat(status).isEqualTo(403L);
    logOut();
    // after log-out the session is gone on the server too
    Object after = inPage("fetch('/v1/admin/alerts').then(r => done(r.status), e => done(String(e)));");
    assertThat(after).isEqualTo(401L);
  }

  @Test
  @Order(2)
  void officer_seesTheFlow_acknowledgesTheReplayAlert_scriptInTheNoteStaysText() throws Exception {
    logIn("alice", ConsoleSecurityTest.ALICE_PW);
    WebElement flow = driver.findElement(By.cssSelector("#flow-table tr[data-flow]"));
    assertThat(flow.getText()).contains(TestHubCity.CIVIL.toString()).contains(city.housing.party().toString());
    assertThat(driver.findElement(By.id("open-alerts")).getText()).isEqualTo("1");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#flow-graph canvas")));
    screenshot("overview");

    page("alerts");
    WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#alerts-table tr[data-alert-id]")));
    assertThat(driver.findElements(By.cssSelector("#alerts-table tr[data-alert-id]"))).hasSize(1);
    assertThat(row.getText()).contains("rejected_envelope").contains("REPLAYED");
    String id = row.getAttribute("data-alert-id");
    driver.findElement(By.id("alert-note-" + id)).sendKeys(EVIL_NOTE);
    row.findElement(By.cssSelector("button.ack")).click();
    new Select(driver.findElement(By.id("alert-state"))).selectByValue("");
    wait.until(ExpectedConditions.textToBePresentInElementLocated(
        By.cssSelector("#alerts-table tr[data-alert-id='" + id + "'] .alert-state"), "acknowledged by alice"));
    noDialogOpened();
    WebElement note = driver.findElement(By.cssSelector("#alerts-table tr[data-alert-id='" + id + "'] .alert-note"));
    assertThat(note.getText()).isEqualTo(EVIL_NOTE);
    assertThat(note.findElements(By.cssSelector("img, script"))).isEmpty();
    JsonNode a = JSON.readTree(officer("/v1/admin/alerts")).get("alerts").get(0);
    assertThat(a.get("state").asText()).isEqualTo("acknowledged");
    assertThat(a.get("changedBy").asText()).isEqualTo("alice");
    screenshot("alerts");
  }

  @Test
  @Order(3)
  void officer_freezesAResource_onlyAfterConfirming() throws Exception {
    page("actions");
    new Select(driver.findElement(By.id("action-kind"))).selectByValue("freeze-resource");
    driver.findElement(By.id("action-target")).sendKeys(RESOURCE);
    driver.findElement(By.id("action-reason")).sendKeys("incident 42: bulk export");
    driver.findElement(By.id("action-review")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("action-confirm")));
    // cancelling takes nothing
    driver.findElement(By.id("action-confirm-no")).click();
    assertThat(JSON.readTree(officer("/v1/admin/actions")).get("actions")).isEmpty();
    driver.findElement(By.id("action-review")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("action-confirm")));
    assertThat(driver.findElement(By.id("action-confirm-text")).getText()).contains(RESOURCE);
    screenshot("action-confirm");
    driver.findElement(By.id("action-confirm-yes")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#actions-table tr[data-action-id]")));
    assertThat(driver.findElement(By.cssSelector("#actions-table tr[data-action-id]")).getText()).contains(RESOURCE)
        .contains("alice");
    JsonNode actions = JSON.readTree(officer("/v1/admin/actions")).get("actions");
    assertThat(actions).hasSize(1);
    assertThat(actions.get(0).get("kind").asText()).isEqualTo("freeze-resource");
    assertThat(actions.get(0).get("target").asText()).isEqualTo(RESOURCE);
    assertThat(actions.get(0).get("requestedBy").asText()).isEqualTo("alice");
    assertThat(actions.get(0).get("inForce").asBoolean()).isTrue();
    screenshot("actions");
    page("reviews");
    screenshot("reviews");
  }

  @Test
  @Order(4)
  void scorecards_showTheMonthsNumbersPerDepartment_asTableAndChart() throws Exception {
    // the month of the shipped records, as the hub counts it (Asia/Shanghai), whatever the browser's zone
    String month = java.time.YearMonth.from(SHIPPED_AT.atZone(java.time.ZoneId.of("Asia/Shanghai"))).toString();
    ((JavascriptExecutor) driver).executeScript("document.getElementById('scorecard-month').value = arguments[0];", month);
    page("scorecards");
    String housing = city.housing.party().organisation().toString();
    By row = By.cssSelector("#scorecard-table tr[data-department='" + housing + "'] td");
    // read the row in one go, again if the table was redrawn meanwhile
    List<String> cells = wait.until(d -> {
      try {
        List<String> t = d.findElements(row).stream().map(WebElement::getText).toList();
        return t.isEmpty() ? null : t;
      } catch (org.openqa.selenium.StaleElementReferenceException e) {
        return null;
      }
    });
    List<String> heads = driver.findElements(By.cssSelector("#scorecard-table th")).stream().map(WebElement::getText)
        .map(h -> h.toLowerCase(java.util.Locale.ROOT)).toList();
    // six served and the replay refused, as the API and `shulian evaluate` count them
    assertThat(cells.get(heads.indexOf("requests"))).isEqualTo("7");
    assertThat(cells.get(heads.indexOf("served"))).isEqualTo("6");
    assertThat(cells.get(heads.indexOf("refused by reason"))).isEqualTo("REPLAYED=1");
    // as the CSV writes them, not as JavaScript would print the numbers
    assertThat(cells.get(heads.indexOf("availability"))).isEqualTo("1.0000");
    JsonNode api = JSON.readTree(officer("/console/api/scorecards?month=" + month)).get("rows");
    assertThat(api.findValuesAsText("department")).contains(housing);
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#scorecard-chart canvas")));
    screenshot("scorecards");
  }

  @Test
  @Order(5)
  void noContentSecurityPolicyViolation_inTheWholeSession() {
    List<LogEntry> entries = driver.manage().logs().get(LogType.BROWSER).getAll();
    assertThat(entries).noneMatch(e -> e.getMessage().contains("Content Security Policy")
        || e.getMessage().contains("Refused to"));
  }
}
