package io.shulian.hub.kafka;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The main class of {@link KafkaBroker}'s child JVM: formats the log directory with the storage
 * tool (the first time only) and runs the broker ({@code kafka.Kafka}) until the JVM is killed.
 *
 * <p>Arguments: the server.properties file, the cluster id, the log directory.
 */
public final class KafkaBrokerMain {
  private KafkaBrokerMain() {}

  public static void main(String[] args) throws Exception {
    if (!Files.exists(Path.of(args[2], "meta.properties"))) {
      int rc = kafka.tools.StorageTool.execute(new String[] {"format", "-t", args[1], "-c", args[0]}, System.out);
      if (rc != 0) {
        System.err.println("kafka storage format failed: " + rc);
        System.exit(2);
      }
    }
    kafka.Kafka.main(new String[] {args[0]});
  }
}
