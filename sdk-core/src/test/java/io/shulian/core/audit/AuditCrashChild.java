package io.shulian.core.audit;

import io.shulian.core.keys.PartyIdentity;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Child JVM for {@link AuditCrashTest}: appends records from several threads as fast as the log
 * takes them and prints each acknowledged sequence number on its own line, flushed, until killed.
 */
public final class AuditCrashChild {
  private AuditCrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    PartyIdentity id = PartyIdentity.load(Path.of(args[1]), args[2].toCharArray());
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, "US-ASCII");
    AuditLog log = AuditLog.builder(dir, id).segmentMaxBytes(64 * 1024).checkpointEveryRecords(500)
        .queueCapacity(2048).open();
    out.println("open " + log.size());
    out.flush();
    Runnable load = () -> {
      for (int i = 0; ; i++) {
        log.append(AuditFixtures.record(i)).whenComplete((seq, err) -> {
          if (err == null) {
            synchronized (out) {
              out.println(seq);
              out.flush();
            }
          }
        });
      }
    };
    for (int t = 0; t < 3; t++) {
      Thread th = new Thread(load, "load-" + t);
      th.start();
    }
    Thread.sleep(Long.MAX_VALUE);
  }
}
