package io.shulian.gateway.state;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Child JVM for {@link StateStoreTest}: records envelope ids and grant uses from several threads as
 * fast as the store takes them and prints each one once it is durable, until killed.
 */
public final class StateCrashChild {
  private StateCrashChild() {}

  public static void main(String[] args) throws Exception {
    StateStore store = StateStore.builder(Path.of(args[0])).segmentLimits(32 * 1024, Duration.ofMinutes(10)).open();
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, "US-ASCII");
    out.println("open");
    out.flush();
    Instant far = Instant.now().plus(Duration.ofDays(1));
    Runnable load = () -> {
      try {
        while (true) {
          UUID id = UUID.randomUUID();
          if (!store.replayCache().firstSeen(id, far)) {
            throw new AssertionError("a fresh id was seen before");
          }
          boolean used = store.grantUses().tryUse("issuer#grant-1", 1_000_000_000L, far);
          store.durable().thenRun(() -> {
            synchronized (out) {
              out.println("R " + id + (used ? " G" : ""));
              out.flush();
            }
          });
        }
      } catch (Exception e) {
        e.printStackTrace();
      }
    };
    for (int t = 0; t < 3; t++) {
      new Thread(load, "load-" + t).start();
    }
    Thread.sleep(Long.MAX_VALUE);
  }
}
