package io.shulian.examples.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.shulian.examples.demo.FakePeople.Person;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The provincial pension system's daily enrolment extract as JSON Lines, generated record by record
 * while it is written: {@code {"seq":1,"person":{"name":…,"idNumber":…,"address":…},"enrolled":true,
 * "monthlyPension":2345.67}}. The people cycle through a fixed pool; the sequence number and the
 * amount change with every record.
 */
final class PensionExtract {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Records and bytes written. */
  record Written(long records, long bytes) {}

  private final List<byte[]> persons = new ArrayList<>();
  private final List<Boolean> enrolled = new ArrayList<>();

  PensionExtract(List<Person> pool) {
    if (pool.isEmpty()) {
      throw new IllegalArgumentException("empty pool");
    }
    for (Person p : pool) {
      try {
        persons.add(JSON.writeValueAsBytes(Backends.ordered("name", p.name(), "idNumber", p.idNumber(),
            "address", p.address())));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
      enrolled.add(!p.idNumber().endsWith("X"));
    }
  }

  /** Writes whole records until at least {@code minBytes} bytes are written. */
  Written write(OutputStream out, long minBytes) throws IOException {
    long bytes = 0;
    long seq = 0;
    StringBuilder b = new StringBuilder(64);
    while (bytes < minBytes) {
      seq++;
      int i = (int) (seq % persons.size());
      b.setLength(0);
      b.append("{\"seq\":").append(seq).append(",\"person\":");
      byte[] head = b.toString().getBytes(StandardCharsets.US_ASCII);
      byte[] person = persons.get(i);
      long cents = 180_000 + (seq * 7919) % 420_000;
      b.setLength(0);
      b.append(",\"enrolled\":").append(enrolled.get(i)).append(",\"monthlyPension\":").append(cents / 100)
          .append('.').append(cents % 100 < 10 ? "0" : "").append(cents % 100).append("}\n");
      byte[] tail = b.toString().getBytes(StandardCharsets.US_ASCII);
      out.write(head);
      out.write(person);
      out.write(tail);
      bytes += head.length + person.length + tail.length;
    }
    return new Written(seq, bytes);
  }
}
