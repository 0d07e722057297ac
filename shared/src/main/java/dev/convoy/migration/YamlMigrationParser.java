package dev.convoy.migration;

import dev.convoy.error.Problem;
import dev.convoy.ops.Operation;
import dev.convoy.ops.OperationParser;
import dev.convoy.ops.RawSql;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/** Reads a {@code .yaml} migration: header fields and typed operations. */
final class YamlMigrationParser {
  static final List<String> FIELDS =
      List.of(
          "revision",
          "down_revision",
          "message",
          "branch_labels",
          "depends_on",
          "transactional",
          "irreversible",
          "lint",
          "operations");

  private YamlMigrationParser() {}

  static Optional<Migration> parse(String file, String text, List<Problem> problems) {
    Node root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      root = new Yaml(options).compose(new StringReader(text));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      problems.add(new Problem(file, line, "invalid YAML: " + e.getProblem()));
      return Optional.empty();
    } catch (RuntimeException e) {
      problems.add(new Problem(file, 0, "invalid YAML: " + e.getMessage()));
      return Optional.empty();
    }
    if (!(root instanceof MappingNode)) {
      problems.add(
          new Problem(file, 1, "a migration file must be a YAML mapping (revision:, operations:)"));
      return Optional.empty();
    }
    int before = problems.size();
    YamlObject y = new YamlObject(file, root, problems);
    y.onlyKeys("a migration", FIELDS);
    String revision = y.requiredString("revision", "the migration");
    if (!y.keys().contains("down_revision")) {
      y.problem(
          "missing required field 'down_revision' (write 'down_revision: null' for the first"
              + " revision)");
    }
    boolean irreversible = y.optionalBool("irreversible").orElse(false);
    List<String> lintIgnore = y.object("lint").map(l -> l.strings("ignore")).orElse(List.of());
    String badIgnore = dev.convoy.lint.Rule.unknownIn(lintIgnore);
    if (badIgnore != null) {
      y.problem("lint", badIgnore);
    }
    if (!y.has("operations")) {
      y.problem("missing required field 'operations' (a list of {op: ...})");
    }
    List<Operation> ops = new ArrayList<>();
    Map<String, Integer> opLines = new HashMap<>();
    int[] source = text.codePoints().toArray();
    for (YamlObject o : y.objects("operations")) {
      int line = o.line();
      OperationParser.parse(o)
          .ifPresent(
              op -> {
                String field = "operations[" + ops.size() + "]";
                opLines.put(field, line);
                if (op instanceof RawSql) {
                  ScalarLines.record(field + ".up", o.valueNode("up"), source, opLines);
                  ScalarLines.record(field + ".down", o.valueNode("down"), source, opLines);
                }
                ops.add(op);
              });
    }
    if (problems.size() > before || revision == null) {
      return Optional.empty();
    }
    Map<String, Integer> lines = new HashMap<>();
    lines.put("revision", y.line());
    for (String k : y.keys()) {
      lines.put(k, lineOf(root, k));
    }
    lines.putAll(opLines);
    return Optional.of(
        new Migration(
            revision,
            y.strings("down_revision"),
            y.string("message").orElse(""),
            y.strings("branch_labels"),
            y.strings("depends_on"),
            y.optionalBool("transactional").orElse(null),
            lintIgnore,
            ops,
            file,
            Checksums.of(text),
            lines,
            irreversible));
  }

  private static int lineOf(Node root, String key) {
    for (var t : ((MappingNode) root).getValue()) {
      if (t.getKeyNode() instanceof org.yaml.snakeyaml.nodes.ScalarNode s
          && s.getValue().equals(key)) {
        return s.getStartMark().getLine() + 1;
      }
    }
    return 0;
  }
}
