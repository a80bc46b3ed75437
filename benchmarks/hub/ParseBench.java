// The collector's batch parse, two ways, on one 2,000-record batch of 340-byte records (the
// shipper's JSON: base64 with padding): a Jackson tree then java.util.Base64 (what Collector does)
// against streaming (JsonParser) with Jackson's own base64 decoding, java.util.Base64 from getText(),
// and from the parser's characters. Thread CPU time per record, 3 rounds after a warm-up.
// Not part of CI (docs/benchmarks.md, "Wave 8: the hub's rule state and parse").
//
//   javac -cp sdk-gateway/target/shulian.jar -d /tmp/pb benchmarks/hub/ParseBench.java
//   java -cp sdk-gateway/target/shulian.jar:/tmp/pb ParseBench
import com.fasterxml.jackson.core.*;
import com.fasterxml.jackson.databind.*;
import java.lang.management.*;
import java.util.*;
public class ParseBench {
  static final ObjectMapper M = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
  static long tree(byte[] body) throws Exception {
    JsonNode n = M.readTree(body); long s = 0;
    for (JsonNode r : n.get("records")) s += Base64.getDecoder().decode(r.asText()).length;
    return s;
  }
  /** One record's bytes from the parser at its string token. */
  interface Decoder { int decode(JsonParser p) throws Exception; }

  static long stream(byte[] body, Decoder d) throws Exception {
    long s = 0;
    try (JsonParser p = M.getFactory().createParser(body)) {
      p.nextToken();
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String f = p.currentName(); p.nextToken();
        if (f.equals("records")) { for (JsonToken r = p.nextToken(); r != JsonToken.END_ARRAY; r = p.nextToken()) s += d.decode(p); }
        else p.skipChildren();
      }
    }
    return s;
  }
  static long stream(byte[] body) throws Exception {
    return stream(body, p -> p.getBinaryValue(Base64Variants.MIME_NO_LINEFEEDS).length);
  }
  static long streamString(byte[] body) throws Exception {
    return stream(body, p -> Base64.getDecoder().decode(p.getText()).length);
  }
  static long streamText(byte[] body) throws Exception {
    return stream(body, p -> {
      char[] c = p.getTextCharacters(); int off = p.getTextOffset(), len = p.getTextLength();
      byte[] buf = new byte[len];
      for (int i = 0; i < len; i++) { char ch = c[off + i]; if (ch > 0x7f) throw new IllegalArgumentException(); buf[i] = (byte) ch; }
      return Base64.getDecoder().decode(buf).length;
    });
  }
  public static void main(String[] a) throws Exception {
    Random rnd = new Random(1); var out = new java.io.ByteArrayOutputStream();
    try (JsonGenerator g = M.getFactory().createGenerator(out)) {
      g.writeStartObject(); g.writeStringField("logId", "0123456789abcdef0123456789abcdef"); g.writeStringField("hash", "SHA-256");
      g.writeNumberField("firstSeq", 0); g.writeArrayFieldStart("records");
      for (int i = 0; i < 2000; i++) { byte[] b = new byte[340]; rnd.nextBytes(b); g.writeBinary(b); }
      g.writeEndArray(); g.writeEndObject();
    }
    byte[] body = out.toByteArray();
    ThreadMXBean tm = ManagementFactory.getThreadMXBean();
    for (int w = 0; w < 300; w++) { tree(body); stream(body); streamText(body); streamString(body); }
    for (int round = 1; round <= 3; round++) {
      long t0 = tm.getCurrentThreadCpuTime(); for (int i = 0; i < 200; i++) tree(body); long t1 = tm.getCurrentThreadCpuTime();
      for (int i = 0; i < 200; i++) stream(body); long t2 = tm.getCurrentThreadCpuTime();
      for (int i = 0; i < 200; i++) streamString(body); long t3 = tm.getCurrentThreadCpuTime();
      for (int i = 0; i < 200; i++) streamText(body); long t4 = tm.getCurrentThreadCpuTime();
      System.out.printf("  streaming getText+java.util.Base64 %.0f ns/record, streaming chars->bytes+java.util.Base64 %.0f ns/record%n", (t3 - t2) / 400000.0, (t4 - t3) / 400000.0);
      System.out.printf("round %d: tree+java.util.Base64 %.0f ns/record, streaming getBinaryValue %.0f ns/record, stream/tree %.2f%n", round,
          (t1 - t0) / 400000.0, (t2 - t1) / 400000.0, (double) (t2 - t1) / (t1 - t0));
    }
  }
}
