package io.shulian.hub.kafka;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A throw-away Kafka broker for tests, in KRaft mode (broker and controller in one node), from the
 * official Apache Kafka Maven artifacts (kafka_2.13, test scope): started in a child JVM on the
 * test classpath, so a broker crash cannot take the test JVM down and the server jars stay out of
 * production classpaths. Free loopback ports, the log directory in the test's temporary directory,
 * a random cluster id formatted first with the storage tool. {@link #kill()} and {@link #start()}
 * restart it on the same ports and data.
 */
public final class KafkaBroker implements AutoCloseable {
  private final Path dir;
  private final Path props;
  private final Path logDir;
  private final String clusterId;
  private final int port;
  private Process process;

  private KafkaBroker(Path dir) throws IOException {
    this.dir = dir;
    this.logDir = dir.resolve("kafka-logs");
    this.props = dir.resolve("server.properties");
    this.clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
    this.port = freePort();
    int controller = freePort();
    Files.createDirectories(logDir);
    Files.writeString(props, String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controller,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=" + logDir,
        "num.partitions=1",
        "auto.create.topics.enable=false",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "message.max.bytes=17825792",
        ""), StandardCharsets.UTF_8);
  }

  /** Formats and starts a broker with its files in {@code dir}; returns once it answers. */
  public static KafkaBroker start(Path dir) throws Exception {
    KafkaBroker b = prepare(dir);
    b.start();
    return b;
  }

  /**
   * A broker with its files and ports in {@code dir}, not started yet: its {@link #bootstrap()} is
   * known at once (to configure gateways while the broker's JVM boots in the background).
   */
  public static KafkaBroker prepare(Path dir) throws IOException {
    return new KafkaBroker(dir);
  }

  /** The bootstrap address, {@code 127.0.0.1:<port>}. */
  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  /** Starts the broker's JVM (again) and waits until it answers. */
  public synchronized void start() throws Exception {
    if (process != null && process.isAlive()) {
      return;
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path cpFile = dir.resolve("classpath.args");
    Files.writeString(cpFile, "-cp \"" + cp.replace("\\", "\\\\") + "\"\n", StandardCharsets.UTF_8);
    List<String> cmd = new ArrayList<>(List.of(java, "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true", "@" + cpFile, KafkaBrokerMain.class.getName(),
        props.toString(), clusterId, logDir.toString()));
    process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile())).start();
    // generous: on a loaded machine (seven builds on two cores) a KRaft broker took over 90 s to answer
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    try (Admin admin = admin()) {
      while (true) {
        if (!process.isAlive()) {
          throw new IOException("the Kafka broker exited (" + process.exitValue() + "): " + logTail());
        }
        try {
          admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
          return;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw new IOException("the Kafka broker did not answer within 180 s: " + logTail(), e);
          }
          Thread.sleep(100);
        }
      }
    }
  }

  /** Kills the broker's JVM (kill -9 of a crash) and waits for it to be gone. */
  public synchronized void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** Creates a topic with one replica. */
  public void createTopic(String name, int partitions) throws Exception {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)
          .configs(Map.of("max.message.bytes", "17825792")))).all().get(30, TimeUnit.SECONDS);
    }
  }

  public Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    return Admin.create(p);
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("broker.log"), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no broker.log)";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** A random id, for topics and groups of one test. */
  public static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }

  @Override
  public String toString() {
    return "KafkaBroker{" + bootstrap() + "}";
  }
}
