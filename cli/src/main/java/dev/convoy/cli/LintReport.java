package dev.convoy.cli;

import dev.convoy.lint.Finding;
import dev.convoy.lint.Rule;
import dev.convoy.lint.Severity;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lint findings in the shapes CI tools read: JSON, SARIF 2.1.0 (GitHub code scanning and most
 * others) and GitHub Actions workflow commands ({@code ::error file=...,line=...::...}), which show
 * as annotations on the pull request's diff. Files are named relative to the working directory, as
 * a workflow running at the repository root expects.
 */
final class LintReport {
  private final List<Finding> findings;
  private final Path dir;

  LintReport(List<Finding> findings, Path dir) {
    this.findings = findings;
    this.dir = dir;
  }

  /** The migration file as a path from the working directory, with forward slashes. */
  String path(Finding f) {
    Path p = dir.resolve(f.file()).normalize();
    Path cwd = Path.of("").toAbsolutePath();
    if (p.isAbsolute() && p.startsWith(cwd)) {
      p = cwd.relativize(p);
    }
    return p.toString().replace('\\', '/');
  }

  List<Map<String, Object>> json() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Finding f : findings) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("rule", f.rule().id());
      j.put("severity", f.severity().word());
      j.put("revision", f.revision());
      j.put("file", f.file());
      j.put("line", f.line());
      j.put("table", f.table());
      j.put("what", f.what());
      j.put("why", f.rule().why());
      j.put("instead", f.rule().instead());
      out.add(j);
    }
    return out;
  }

  Map<String, Object> sarif(String version) {
    List<Map<String, Object>> rules = new ArrayList<>();
    for (Rule r : Rule.values()) {
      rules.add(
          map(
              "id", r.id(),
              "name", r.id(),
              "shortDescription", map("text", r.why()),
              "fullDescription", map("text", r.why() + "."),
              "help", map("text", "Instead: " + r.instead() + "."),
              "defaultConfiguration", map("level", r.severity().word())));
    }
    List<Map<String, Object>> results = new ArrayList<>();
    for (Finding f : findings) {
      Map<String, Object> physical = new LinkedHashMap<>();
      physical.put("artifactLocation", map("uri", uri(path(f))));
      if (f.line() > 0) {
        physical.put("region", map("startLine", f.line()));
      }
      results.add(
          map(
              "ruleId", f.rule().id(),
              "ruleIndex", f.rule().ordinal(),
              "level", f.severity().word(),
              "message",
                  map(
                      "text",
                      f.what() + ": " + f.rule().why() + ". Instead: " + f.rule().instead() + "."),
              "locations", List.of(map("physicalLocation", physical))));
    }
    Map<String, Object> driver =
        map(
            "name", "convoy lint",
            "version", version,
            "rules", rules);
    return map(
        "$schema", "https://json.schemastore.org/sarif-2.1.0.json",
        "version", "2.1.0",
        "runs", List.of(map("tool", map("driver", driver), "results", results)));
  }

  /** One workflow command per finding. */
  List<String> github() {
    List<String> out = new ArrayList<>();
    for (Finding f : findings) {
      out.add(
          "::"
              + (f.severity() == Severity.ERROR ? "error" : "warning")
              + " file="
              + property(path(f))
              + (f.line() > 0 ? ",line=" + f.line() : "")
              + ",title="
              + property("convoy lint: " + f.rule().id())
              + "::"
              + data(f.what() + "\nwhy: " + f.rule().why() + "\ninstead: " + f.rule().instead()));
    }
    return out;
  }

  /**
   * A path as the URI reference SARIF requires: every byte outside the unreserved characters is
   * percent-encoded ({@code %}, space, {@code ,} and {@code :} included, so a colon never reads as
   * a scheme), and an absolute path becomes a {@code file:} URI.
   */
  static String uri(String path) {
    StringBuilder out = new StringBuilder(path.startsWith("/") ? "file://" : "");
    for (byte b : path.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if (c == '/'
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~'
          || c < 128 && Character.isLetterOrDigit(c)) {
        out.append(c);
      } else {
        out.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return out.toString();
  }

  private static String data(String s) {
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
  }

  private static String property(String s) {
    return data(s).replace(":", "%3A").replace(",", "%2C");
  }

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
