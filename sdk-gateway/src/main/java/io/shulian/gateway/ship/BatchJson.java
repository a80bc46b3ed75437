package io.shulian.gateway.ship;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.shulian.core.audit.Checkpoint;
import io.shulian.core.audit.RecordBatch;
import io.shulian.core.keys.PartyCertificate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes the collector's JSON form of a batch (the body of {@code POST /v1/events} and the value of
 * a Kafka record) straight from the record bytes: each body base64-encoded into the output, no tree
 * of nodes, no intermediate strings. The certificates' PEM is kept while the log presents the same
 * certificates, so it is encoded once, not once per batch. One instance per shipping thread.
 */
final class BatchJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private List<PartyCertificate> pemOf = List.of();
  private String pem = "";

  /**
   * Returns the JSON form of the first records of {@code b} ({@code bodies}, from seq {@code
   * b.firstSeq()}) up to seq {@code end} (exclusive), with the checkpoints up to tree size {@code
   * end} and {@code chainHead}, the chain value after record {@code end - 1}.
   */
  byte[] write(RecordBatch b, List<byte[]> bodies, long end, byte[] chainHead) {
    List<byte[]> sent = bodies.subList(0, (int) (end - b.firstSeq()));
    long size = 256;
    for (byte[] body : sent) {
      size += (body.length + 2) / 3 * 4 + 3;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(size, Integer.MAX_VALUE - 8));
    try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("logId", b.logId());
      g.writeStringField("hash", b.hashAlgorithm().displayName());
      g.writeNumberField("firstSeq", b.firstSeq());
      g.writeArrayFieldStart("records");
      for (byte[] body : sent) {
        g.writeBinary(body); // standard base64 with padding, as the collector decodes it
      }
      g.writeEndArray();
      g.writeFieldName("chainHead");
      g.writeBinary(chainHead);
      g.writeArrayFieldStart("checkpoints");
      for (Checkpoint c : b.checkpoints()) {
        if (c.treeSize() <= end) {
          g.writeString(c.toJsonLine());
        }
      }
      g.writeEndArray();
      if (!b.certificates().isEmpty()) {
        g.writeStringField("certificates", pem(b.certificates()));
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return out.toByteArray();
  }

  /**
   * The PEM of {@code certs}, encoded again unless they are the very objects of the last batch (the
   * cursor keeps a certificate file's objects while the file is unchanged; equality would not do: a
   * certificate renewed on the same key is equal to the old one).
   */
  private String pem(List<PartyCertificate> certs) {
    boolean same = certs.size() == pemOf.size();
    for (int i = 0; same && i < certs.size(); i++) {
      same = certs.get(i) == pemOf.get(i);
    }
    if (!same) {
      pem = PartyCertificate.toPem(certs);
      pemOf = List.copyOf(certs);
    }
    return pem;
  }
}
