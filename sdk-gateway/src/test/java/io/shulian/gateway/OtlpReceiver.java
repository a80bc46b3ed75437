package io.shulian.gateway;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal OTLP/HTTP trace receiver on loopback for tests: takes {@code POST /v1/traces} with an
 * {@code application/x-protobuf} ExportTraceServiceRequest, answers 200 with an empty
 * ExportTraceServiceResponse, and decodes the spans with a small protobuf wire-format reader (the
 * fields of opentelemetry-proto's trace.proto, resource.proto and common.proto that tests look at).
 */
final class OtlpReceiver implements AutoCloseable {
  /** One received span with the attributes of its resource. */
  record ReceivedSpan(String traceId, String spanId, String parentSpanId, String name, Map<String, String> resource) {}

  final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
  /** The {@code authorization} header of each export request ("none" when absent). */
  final List<String> authorizations = new CopyOnWriteArrayList<>();
  final List<String> contentTypes = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  OtlpReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/traces", ex -> {
      try (InputStream in = ex.getRequestBody()) {
        byte[] body = in.readAllBytes();
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        authorizations.add(auth == null ? "none" : auth);
        contentTypes.add(String.valueOf(ex.getRequestHeaders().getFirst("Content-Type")));
        spans.addAll(decode(body));
        ex.getResponseHeaders().set("Content-Type", "application/x-protobuf");
        ex.sendResponseHeaders(200, -1);
      } catch (RuntimeException e) {
        ex.sendResponseHeaders(400, -1);
      } finally {
        ex.close();
      }
    });
    server.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  /** ExportTraceServiceRequest: resource_spans = 1. */
  static List<ReceivedSpan> decode(byte[] request) {
    List<ReceivedSpan> out = new ArrayList<>();
    for (Field rs : fields(request)) {
      if (rs.number != 1) {
        continue;
      }
      // ResourceSpans: resource = 1, scope_spans = 2
      Map<String, String> resource = new LinkedHashMap<>();
      List<byte[]> scopeSpans = new ArrayList<>();
      for (Field f : fields(rs.bytes)) {
        if (f.number == 1) {
          // Resource: attributes = 1 (KeyValue)
          fields(f.bytes).stream().filter(a -> a.number == 1).forEach(a -> keyValue(a.bytes, resource));
        } else if (f.number == 2) {
          scopeSpans.add(f.bytes);
        }
      }
      for (byte[] ss : scopeSpans) {
        // ScopeSpans: spans = 2
        for (Field s : fields(ss)) {
          if (s.number != 2) {
            continue;
          }
          // Span: trace_id = 1, span_id = 2, parent_span_id = 4, name = 5
          String traceId = "";
          String spanId = "";
          String parent = "";
          String name = "";
          for (Field x : fields(s.bytes)) {
            switch (x.number) {
              case 1 -> traceId = HexFormat.of().formatHex(x.bytes);
              case 2 -> spanId = HexFormat.of().formatHex(x.bytes);
              case 4 -> parent = HexFormat.of().formatHex(x.bytes);
              case 5 -> name = new String(x.bytes, StandardCharsets.UTF_8);
              default -> { }
            }
          }
          out.add(new ReceivedSpan(traceId, spanId, parent, name, Map.copyOf(resource)));
        }
      }
    }
    return out;
  }

  /** KeyValue: key = 1, value = 2 (AnyValue: string_value = 1). */
  private static void keyValue(byte[] kv, Map<String, String> into) {
    String key = null;
    String value = null;
    for (Field f : fields(kv)) {
      if (f.number == 1) {
        key = new String(f.bytes, StandardCharsets.UTF_8);
      } else if (f.number == 2) {
        for (Field v : fields(f.bytes)) {
          if (v.number == 1 && v.bytes != null) {
            value = new String(v.bytes, StandardCharsets.UTF_8);
          }
        }
      }
    }
    if (key != null && value != null) {
      into.put(key, value);
    }
  }

  /** One field of a protobuf message; {@code bytes} for length-delimited fields, else null. */
  private record Field(int number, byte[] bytes) {}

  private static List<Field> fields(byte[] msg) {
    List<Field> out = new ArrayList<>();
    int[] pos = {0};
    while (pos[0] < msg.length) {
      long tag = varint(msg, pos);
      int number = (int) (tag >>> 3);
      switch ((int) (tag & 7)) {
        case 0 -> {
          varint(msg, pos);
          out.add(new Field(number, null));
        }
        case 1 -> {
          pos[0] += 8;
          out.add(new Field(number, null));
        }
        case 2 -> {
          int len = (int) varint(msg, pos);
          if (len < 0 || pos[0] + len > msg.length) {
            throw new IllegalArgumentException("truncated field " + number);
          }
          ByteArrayOutputStream b = new ByteArrayOutputStream();
          b.write(msg, pos[0], len);
          pos[0] += len;
          out.add(new Field(number, b.toByteArray()));
        }
        case 5 -> {
          pos[0] += 4;
          out.add(new Field(number, null));
        }
        default -> throw new IllegalArgumentException("wire type " + (tag & 7));
      }
    }
    if (pos[0] != msg.length) {
      throw new IllegalArgumentException("truncated message");
    }
    return out;
  }

  private static long varint(byte[] b, int[] pos) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= b.length) {
        throw new IllegalArgumentException("truncated varint");
      }
      byte x = b[pos[0]++];
      v |= (long) (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
    throw new IllegalArgumentException("varint too long");
  }
}
