package io.shulian.gateway;

import io.shulian.core.keys.Suite;
import io.shulian.gateway.cli.DatasetDownload;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Run in a child JVM with a capped heap by {@link DatasetBoundedMemoryTest}: a backend, both
 * gateways and the app in one process, one data set of {@code args[0]} records through them.
 * Exits 0 if the stream arrived complete (verified trailer) and identical (SHA-256), 1 otherwise.
 */
public final class DatasetHeapCapMain {
  private DatasetHeapCapMain() {}

  public static void main(String[] args) throws Exception {
    DatasetStreamEndToEndTest t = new DatasetStreamEndToEndTest();
    t.backendRecords = Integer.parseInt(args[0]);
    int status = 1;
    try {
      t.startCity(Suite.valueOf(args[1]), DatasetStreamEndToEndTest.permit());
      MessageDigest expected = MessageDigest.getInstance("SHA-256");
      long[] size = {0};
      t.writeDataset(new DigestOutputStream(new OutputStream() {
        @Override
        public void write(int b) {
          size[0]++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
          size[0] += len;
        }
      }, expected), t.backendRecords);
      MessageDigest got = MessageDigest.getInstance("SHA-256");
      DatasetDownload.Result r = t.fetch("/dataset/HOUSING-001/households",
          new DigestOutputStream(OutputStream.nullOutputStream(), got));
      boolean same = Arrays.equals(expected.digest(), got.digest());
      System.out.println("RESULT complete=" + r.complete() + " identical=" + same + " bytes=" + r.bytes()
          + " expectedBytes=" + size[0] + " maxHeap=" + Runtime.getRuntime().maxMemory());
      status = r.complete() && same && r.bytes() == size[0] ? 0 : 1;
    } finally {
      t.tearDown();
    }
    System.exit(status);
  }
}
