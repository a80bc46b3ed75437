package io.shulian.gateway.assess;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The findings of one assessment, worst first, with what was assessed. Renders itself as a table,
 * as JSON (schema {@value #SCHEMA}, docs/assessment-and-evaluation.md) or as one self-contained HTML
 * page in which every value is escaped.
 */
public final class Assessment {
  /** The JSON schema identifier; changes only when a member changes meaning or disappears. */
  public static final String SCHEMA = "shulian-assessment/1";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Instant assessedAt;
  private final Map<String, String> subject;
  private final List<Finding> findings;

  Assessment(Instant assessedAt, Map<String, String> subject, List<Finding> findings) {
    this.assessedAt = Objects.requireNonNull(assessedAt, "assessedAt");
    this.subject = Map.copyOf(subject);
    List<Finding> sorted = new ArrayList<>(findings);
    sorted.sort(Comparator.comparing(Finding::severity).reversed()
        .thenComparing(Finding::kind).thenComparing(Finding::object).thenComparing(Finding::message));
    this.findings = List.copyOf(sorted);
  }

  /** Returns when the assessment ran (the time certificate and grant periods were compared with). */
  public Instant assessedAt() {
    return assessedAt;
  }

  /** Returns the findings, worst first. */
  public List<Finding> findings() {
    return findings;
  }

  /** Returns the worst severity found, or empty if there is no finding. */
  public Optional<Severity> worst() {
    return findings.isEmpty() ? Optional.empty() : Optional.of(findings.get(0).severity());
  }

  /** Returns how many findings each severity has (every severity present, zero if none). */
  public Map<Severity, Integer> counts() {
    Map<Severity, Integer> m = new EnumMap<>(Severity.class);
    for (Severity s : Severity.values()) {
      m.put(s, 0);
    }
    for (Finding f : findings) {
      m.merge(f.severity(), 1, Integer::sum);
    }
    return m;
  }

  /** Returns the findings of one kind. */
  public List<Finding> ofKind(String kind) {
    return findings.stream().filter(f -> f.kind().equals(kind)).toList();
  }

  /** Renders the JSON document (stable schema {@value #SCHEMA}). */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("schema", SCHEMA);
    root.put("assessedAt", assessedAt.toString());
    ObjectNode subj = root.putObject("subject");
    subject.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> subj.put(e.getKey(), e.getValue()));
    Optional<Severity> w = worst();
    if (w.isPresent()) {
      root.put("worst", w.get().wireName());
    } else {
      root.putNull("worst");
    }
    ObjectNode c = root.putObject("counts");
    for (Map.Entry<Severity, Integer> e : counts().entrySet()) {
      c.put(e.getKey().wireName(), e.getValue());
    }
    ArrayNode a = root.putArray("findings");
    for (Finding f : findings) {
      ObjectNode n = a.addObject();
      n.put("id", f.kind());
      n.put("severity", f.severity().wireName());
      n.putObject("object").put("kind", f.objectKind()).put("id", f.object());
      n.put("message", f.message());
      n.put("fix", f.fix());
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings did not serialise", e);
    }
  }

  /** Renders a plain-text table for a terminal: one block per finding. */
  public String toTable() {
    StringBuilder b = new StringBuilder();
    b.append("Security assessment of ").append(describeSubject()).append(" at ").append(assessedAt).append('\n');
    b.append(summaryLine()).append("\n");
    if (findings.isEmpty()) {
      return b.append("No findings.\n").toString();
    }
    int kw = "ID".length();
    int ow = "OBJECT".length();
    for (Finding f : findings) {
      kw = Math.max(kw, f.kind().length());
      ow = Math.max(ow, Math.min(60, f.objectKind().length() + 1 + f.object().length()));
    }
    b.append('\n').append(String.format("%-8s  %-" + kw + "s  %-" + ow + "s  %s%n", "SEVERITY", "ID", "OBJECT", "FINDING"));
    for (Finding f : findings) {
      b.append(String.format("%-8s  %-" + kw + "s  %-" + ow + "s  %s%n", f.severity().wireName(), f.kind(),
          f.objectKind() + " " + f.object(), oneLine(f.message())));
      b.append(String.format("%-8s  %-" + kw + "s  %-" + ow + "s  fix: %s%n", "", "", "", oneLine(f.fix())));
    }
    return b.toString();
  }

  /** Renders one self-contained HTML page (no script, no external resource; every value escaped). */
  public String toHtml() {
    StringBuilder b = new StringBuilder();
    b.append("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")
        .append("<title>安全评估 Security assessment</title><style>")
        .append("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}")
        .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}")
        .append(".critical{background:#f8d0d0}.high{background:#fde2c8}.medium{background:#fff4c2}")
        .append(".low{background:#eef5ff}.info{background:#f4f4f4}")
        .append("</style></head><body>\n<h1>安全评估 Security assessment</h1>\n<p>")
        .append(html(describeSubject())).append(", assessed at ").append(html(assessedAt.toString()))
        .append("</p>\n<p>").append(html(summaryLine())).append("</p>\n");
    if (findings.isEmpty()) {
      b.append("<p>No findings.</p>\n");
    } else {
      b.append("<table><thead><tr><th>Severity</th><th>ID</th><th>Object</th><th>Finding</th><th>Fix</th></tr></thead><tbody>\n");
      for (Finding f : findings) {
        b.append("<tr class=\"").append(f.severity().wireName()).append("\"><td>").append(f.severity().wireName())
            .append("</td><td>").append(html(f.kind())).append("</td><td>").append(html(f.objectKind())).append(' ')
            .append(html(f.object())).append("</td><td>").append(html(f.message())).append("</td><td>")
            .append(html(f.fix())).append("</td></tr>\n");
      }
      b.append("</tbody></table>\n");
    }
    return b.append("</body></html>\n").toString();
  }

  /** Escapes text for HTML element content and quoted attribute values. */
  public static String html(@Nullable String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c < 0x20 && c != '\n' && c != '\t' ? ' ' : c);
      }
    }
    return b.toString();
  }

  private String summaryLine() {
    StringBuilder b = new StringBuilder();
    b.append(findings.size()).append(findings.size() == 1 ? " finding" : " findings");
    Map<Severity, Integer> c = counts();
    String sep = ": ";
    for (int i = Severity.values().length - 1; i >= 0; i--) {
      Severity s = Severity.values()[i];
      b.append(sep).append(c.get(s)).append(' ').append(s.wireName());
      sep = ", ";
    }
    return b.toString();
  }

  private String describeSubject() {
    List<String> parts = new ArrayList<>();
    for (String k : List.of("bundleVersion", "catalogVersion", "policySetVersion")) {
      String v = subject.get(k);
      if (v != null) {
        parts.add(k + " " + v);
      }
    }
    return parts.isEmpty() ? "the configuration" : String.join(", ", parts);
  }

  private static String oneLine(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? ' ' : c);
    }
    return b.toString();
  }
}
