package io.shulian.core.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Sharing statistics from one or more audit logs, per provider, consumer and resource: the
 * sharing performance evaluation report.
 *
 * <p>Counting rules (docs/audit.md): a <em>request</em> is a REQUEST_IN or REQUEST_OUT record;
 * when both gateways' logs are given, the consumer's REQUEST_OUT and the provider's REQUEST_IN of
 * one envelope id are one request, counted from the provider's records (which carry the provider's
 * decision); several REQUEST_IN records of one envelope id (a replay, refused) each count. Records
 * without an envelope id ({@code ""} or {@code "-"}: refused before an envelope existed or could be
 * read) each count on their own. Permitted and denied follow the decision effect; denials are
 * broken down by their first reason code. <em>Request bytes</em> are the payload bytes of the
 * permitted requests (what a refused request's record holds is what was received, not what was
 * shared); <em>response bytes</em> those of the responses (RESPONSE_OUT, else RESPONSE_IN, of an
 * envelope id). Latencies are those recorded with requests; p50 and p95 use the
 * nearest-rank method. Records are filtered by time: {@code from} inclusive, {@code to} exclusive.
 * A directory given twice is read once.
 *
 * <p>Data set transfers (the transfer of audit body version 3, docs/return-flow.md "Audit") are
 * counted from the response records that carry one: <em>transfers</em> those that started a
 * transfer, <em>resumed</em> the continuations of one (reason {@code CONTINUATION} on the provider,
 * {@code APP_RESUMED} on the consumer), <em>interrupted</em> every transfer record that did not
 * complete (a first transfer or a continuation), <em>transfer bytes</em> the bytes of the completed
 * ones (a completed continuation records the whole stream).
 */
public final class AuditStatistics {
  /** One line of the report. */
  public record Row(String provider, String consumer, String resource, long requests, long permitted, long denied,
      Map<String, Long> deniedByReason, long requestBytes, long responseBytes, Duration p50, Duration p95,
      long transfers, long transferBytes, long interrupted, long resumed) {}

  private final List<Row> rows;
  private final long recordsRead;

  private AuditStatistics(List<Row> rows, long recordsRead) {
    this.rows = List.copyOf(rows);
    this.recordsRead = recordsRead;
  }

  public List<Row> rows() {
    return rows;
  }

  /** Records read from all logs, before filtering and de-duplication. */
  public long recordsRead() {
    return recordsRead;
  }

  private static final class Acc {
    long requests;
    long permitted;
    long denied;
    final TreeMap<String, Long> reasons = new TreeMap<>();
    long requestBytes;
    long responseBytes;
    long transfers;
    long transferBytes;
    long interrupted;
    long resumed;
    long[] latencies = new long[16];
    int n;

    void latency(long nanos) {
      if (n == latencies.length) {
        latencies = Arrays.copyOf(latencies, n * 2);
      }
      latencies[n++] = nanos;
    }
  }

  /**
   * Reads the logs (chain-checked on the way, see {@link AuditLogReader}) and computes the report.
   *
   * @param from first instant included, or null for no lower bound
   * @param to first instant excluded, or null for no upper bound
   */
  public static AuditStatistics compute(List<Path> logs, @Nullable Instant from, @Nullable Instant to)
      throws AuditException {
    // per envelope id and direction, the distinct records (a directory given twice adds nothing)
    Map<String, Map<Direction, Set<AuditRecord>>> byId = new HashMap<>();
    List<AuditRecord> anonymous = new ArrayList<>();
    long[] read = {0};
    Set<Path> seen = new HashSet<>();
    for (Path dir : logs) {
      if (!seen.add(canonical(dir))) {
        continue;
      }
      AuditLogReader.forEach(dir, e -> {
        read[0]++;
        AuditRecord r = e.record();
        if ((from != null && r.time().isBefore(from)) || (to != null && !r.time().isBefore(to))) {
          return;
        }
        if (r.envelopeId().isEmpty() || r.envelopeId().equals(NO_ENVELOPE)) {
          anonymous.add(r);
          return;
        }
        byId.computeIfAbsent(r.envelopeId(), k -> new EnumMap<>(Direction.class))
            .computeIfAbsent(r.direction(), k -> new LinkedHashSet<>()).add(r);
      });
    }
    List<AuditRecord> all = new ArrayList<>();
    for (Map<Direction, Set<AuditRecord>> m : byId.values()) {
      // the provider's view of an exchange wins; the consumer's counts where the provider's log is not given
      all.addAll(m.getOrDefault(Direction.REQUEST_IN, m.getOrDefault(Direction.REQUEST_OUT, Set.of())));
      all.addAll(m.getOrDefault(Direction.RESPONSE_OUT, m.getOrDefault(Direction.RESPONSE_IN, Set.of())));
    }
    all.addAll(anonymous);
    TreeMap<List<String>, Acc> acc = new TreeMap<>((a, b) -> {
      for (int i = 0; i < 3; i++) {
        int c = a.get(i).compareTo(b.get(i));
        if (c != 0) {
          return c;
        }
      }
      return 0;
    });
    for (AuditRecord r : all) {
      Acc a = acc.computeIfAbsent(List.of(r.provider(), r.consumer(), r.resource()), k -> new Acc());
      if (r.direction().isRequest()) {
        a.requests++;
        if (r.decision().effect() == AuditDecision.Effect.PERMIT) {
          a.permitted++;
          a.requestBytes += r.payloadBytes();
        } else {
          a.denied++;
          String reason = r.decision().reasonCodes().isEmpty() ? "unspecified" : r.decision().reasonCodes().get(0);
          a.reasons.merge(reason, 1L, Long::sum);
        }
        a.latency(r.latency().toNanos());
      } else {
        a.responseBytes += r.payloadBytes();
        if (r.transfer().isPresent()) {
          List<String> codes = r.decision().reasonCodes();
          if (codes.contains("CONTINUATION") || codes.contains("APP_RESUMED")) {
            a.resumed++;
          } else {
            a.transfers++;
          }
          if (r.transfer().get().complete()) {
            a.transferBytes += r.payloadBytes();
          } else {
            a.interrupted++;
          }
        }
      }
    }
    List<Row> rows = new ArrayList<>();
    acc.forEach((k, a) -> {
      long[] l = Arrays.copyOf(a.latencies, a.n);
      Arrays.sort(l);
      rows.add(new Row(k.get(0), k.get(1), k.get(2), a.requests, a.permitted, a.denied, Map.copyOf(a.reasons), a.requestBytes,
          a.responseBytes,
          Duration.ofNanos(rank(l, 0.50)), Duration.ofNanos(rank(l, 0.95)), a.transfers, a.transferBytes, a.interrupted,
          a.resumed));
    });
    return new AuditStatistics(rows, read[0]);
  }

  /** The envelope id a gateway records for a request refused before it had an envelope. */
  private static final String NO_ENVELOPE = "-";

  private static Path canonical(Path dir) {
    try {
      return dir.toRealPath();
    } catch (java.io.IOException e) {
      return dir.toAbsolutePath().normalize(); // the reader reports what is wrong with it
    }
  }

  private static long rank(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static String reasons(Row r) {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(r.deniedByReason()).forEach((k, v) -> sb.append(sb.length() == 0 ? "" : ";").append(k).append('=').append(v));
    return sb.toString();
  }

  private static String ms(Duration d) {
    return String.format(java.util.Locale.ROOT, "%.3f", d.toNanos() / 1e6);
  }

  /** A fixed-width table for a terminal. */
  public String toTable() {
    String[] head = {"provider", "consumer", "resource", "requests", "permitted", "denied", "denied by reason",
        "request bytes", "response bytes", "p50 ms", "p95 ms", "transfers", "transfer bytes", "interrupted", "resumed"};
    List<String[]> lines = new ArrayList<>();
    lines.add(head);
    for (Row r : rows) {
      lines.add(new String[] {r.provider(), r.consumer(), r.resource(), Long.toString(r.requests()),
          Long.toString(r.permitted()), Long.toString(r.denied()), reasons(r), Long.toString(r.requestBytes()),
          Long.toString(r.responseBytes()), ms(r.p50()), ms(r.p95()), Long.toString(r.transfers()),
          Long.toString(r.transferBytes()), Long.toString(r.interrupted()), Long.toString(r.resumed())});
    }
    int[] w = new int[head.length];
    for (String[] l : lines) {
      for (int i = 0; i < l.length; i++) {
        w[i] = Math.max(w[i], l[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] l : lines) {
      for (int i = 0; i < l.length; i++) {
        boolean num = i >= 3 && i != 6;
        String cell = num ? " ".repeat(w[i] - l[i].length()) + l[i] : l[i] + " ".repeat(w[i] - l[i].length());
        sb.append(cell).append(i + 1 < l.length ? "  " : "");
      }
      sb.append('\n');
    }
    if (rows.isEmpty()) {
      sb.append("(no exchanges in the selected period)\n");
    }
    return sb.toString();
  }

  /** CSV (RFC 4180) with a header line; latencies in milliseconds. */
  public String toCsv() {
    StringBuilder sb = new StringBuilder(
        "provider,consumer,resource,requests,permitted,denied,denied_by_reason,request_bytes,response_bytes,p50_ms,"
            + "p95_ms,transfers,transfer_bytes,interrupted,resumed\r\n");
    for (Row r : rows) {
      sb.append(csv(r.provider())).append(',').append(csv(r.consumer())).append(',').append(csv(r.resource())).append(',')
          .append(r.requests()).append(',').append(r.permitted()).append(',').append(r.denied()).append(',')
          .append(csv(reasons(r))).append(',').append(r.requestBytes()).append(',').append(r.responseBytes()).append(',')
          .append(ms(r.p50())).append(',')
          .append(ms(r.p95())).append(',').append(r.transfers()).append(',').append(r.transferBytes()).append(',')
          .append(r.interrupted()).append(',').append(r.resumed()).append("\r\n");
    }
    return sb.toString();
  }

  private static String csv(String s) {
    // a leading =, +, - or @ would run as a formula in a spreadsheet, and so would one after a tab or a
    // carriage return (dropped as blank): quote and prefix it
    String v = !s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
    return v.matches("[^\",\r\n]*") && v.equals(s) ? v : "\"" + v.replace("\"", "\"\"") + "\"";
  }

  /** JSON: {@code {"rows": [...]}} with latencies in milliseconds. */
  public String toJson() {
    ObjectNode root = Checkpoint.JSON.createObjectNode();
    root.put("recordsRead", recordsRead);
    ArrayNode a = root.putArray("rows");
    for (Row r : rows) {
      ObjectNode n = a.addObject();
      n.put("provider", r.provider());
      n.put("consumer", r.consumer());
      n.put("resource", r.resource());
      n.put("requests", r.requests());
      n.put("permitted", r.permitted());
      n.put("denied", r.denied());
      ObjectNode d = n.putObject("deniedByReason");
      new TreeMap<>(r.deniedByReason()).forEach(d::put);
      n.put("requestBytes", r.requestBytes());
      n.put("responseBytes", r.responseBytes());
      n.put("p50Ms", r.p50().toNanos() / 1e6);
      n.put("p95Ms", r.p95().toNanos() / 1e6);
      n.put("transfers", r.transfers());
      n.put("transferBytes", r.transferBytes());
      n.put("interrupted", r.interrupted());
      n.put("resumed", r.resumed());
    }
    try {
      return Checkpoint.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "AuditStatistics[" + rows.size() + " rows, " + recordsRead + " records]";
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof AuditStatistics && ((AuditStatistics) o).rows.equals(rows);
  }

  @Override
  public int hashCode() {
    return Objects.hash(rows);
  }
}
