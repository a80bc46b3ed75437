package io.shulian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.shulian.core.keys.Suite;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Run in a child JVM with a capped heap by {@link DatasetPushBoundedMemoryTest}: the receivers'
 * backends, the four gateways of {@link DatasetPushEndToEndTest}'s city and the app in one
 * process; one push of {@code args[0]} generated records to one district. Exits 0 if it was
 * delivered and the backend got exactly the data set (SHA-256), 1 otherwise.
 */
public final class DatasetPushHeapCapMain {
  private DatasetPushHeapCapMain() {}

  public static void main(String[] args) throws Exception {
    long lines = Long.parseLong(args[0]);
    DatasetPushStreamingTest t = new DatasetPushStreamingTest();
    DatasetPushStreamingTest.Recording a = new DatasetPushStreamingTest.Recording(null, Long.MAX_VALUE);
    t.backends.put(DatasetPushStreamingTest.A, a);
    t.city.policy = DatasetPushStreamingTest.PLAIN;
    int status = 1;
    try {
      t.city.startCity(Suite.INTL);
      DatasetPushStreamingTest.Generated body = new DatasetPushStreamingTest.Generated(lines);
      HttpResponse<String> r = DatasetPushStreamingTest.pushStream(t.city.province, body, DatasetPushStreamingTest.A)
          .get(10, TimeUnit.MINUTES);
      JsonNode res = r.statusCode() == 200
          ? DatasetPushEndToEndTest.results(r).get(DatasetPushStreamingTest.A.toString()) : null;
      boolean delivered = res != null && res.get("status").asText().equals("DELIVERED");
      boolean same = a.digest != null && Arrays.equals(a.digest, DatasetPushStreamingTest.Generated.sha256(lines));
      System.out.println("RESULT delivered=" + delivered + " identical=" + same + " bytes=" + a.received.get()
          + " expectedBytes=" + body.total + " maxHeap=" + Runtime.getRuntime().maxMemory() + " status=" + r.statusCode());
      status = delivered && same && a.received.get() == body.total ? 0 : 1;
    } finally {
      t.tearDown();
    }
    System.exit(status);
  }
}
