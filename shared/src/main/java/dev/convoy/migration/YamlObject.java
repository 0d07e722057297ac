package dev.convoy.migration;

import dev.convoy.error.Problem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML mapping read field by field, remembering line numbers. Every accessor records a problem
 * (file and line) instead of throwing, so one pass over a directory reports everything that is
 * wrong with it.
 */
public final class YamlObject {
  private final String file;
  private final Node node;
  private final Map<String, NodeTuple> fields = new LinkedHashMap<>();
  private final List<Problem> problems;

  YamlObject(String file, Node node, List<Problem> problems) {
    this.file = file;
    this.node = node;
    this.problems = problems;
    if (node instanceof MappingNode mapping) {
      for (NodeTuple t : mapping.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode key) {
          NodeTuple first = fields.putIfAbsent(key.getValue(), t);
          if (first != null) {
            // YAML allows no duplicate keys; a parser that keeps the last one would apply the
            // file under a value its author may not have meant.
            problems.add(
                new Problem(
                    file,
                    key.getStartMark().getLine() + 1,
                    "'"
                        + key.getValue()
                        + "' appears twice (first on line "
                        + (first.getKeyNode().getStartMark().getLine() + 1)
                        + "); keep one"));
          }
        }
      }
    }
  }

  public int line() {
    return node.getStartMark().getLine() + 1;
  }

  /** The value written under {@code key}, or null. */
  Node valueNode(String key) {
    NodeTuple t = fields.get(key);
    return t == null ? null : t.getValueNode();
  }

  public boolean has(String key) {
    return fields.containsKey(key) && !isNull(fields.get(key).getValueNode());
  }

  public java.util.Set<String> keys() {
    return fields.keySet();
  }

  public void problem(String message) {
    problems.add(new Problem(file, line(), message));
  }

  public void problem(String key, String message) {
    NodeTuple t = fields.get(key);
    int line = t == null ? line() : t.getKeyNode().getStartMark().getLine() + 1;
    problems.add(new Problem(file, line, message));
  }

  /** Reports keys that are not among {@code allowed}, naming the context and the allowed keys. */
  public void onlyKeys(String context, List<String> allowed) {
    for (String k : fields.keySet()) {
      if (!allowed.contains(k)) {
        problem(k, "unknown field '" + k + "' in " + context + "; expected one of " + allowed);
      }
    }
  }

  public Optional<String> string(String key) {
    if (!has(key)) {
      return Optional.empty();
    }
    Node v = fields.get(key).getValueNode();
    if (v instanceof ScalarNode s) {
      return Optional.of(s.getValue());
    }
    problem(key, "'" + key + "' must be a single value, not a list or mapping");
    return Optional.empty();
  }

  public String requiredString(String key, String context) {
    Optional<String> s = string(key);
    if (s.isEmpty() && !has(key)) {
      problem("missing required field '" + key + "' in " + context);
    }
    return s.orElse(null);
  }

  public boolean bool(String key, boolean fallback) {
    return optionalBool(key).orElse(fallback);
  }

  public Optional<Boolean> optionalBool(String key) {
    Optional<String> s = string(key);
    if (s.isEmpty()) {
      return Optional.empty();
    }
    String v = s.get().toLowerCase(java.util.Locale.ROOT);
    if (v.equals("true") || v.equals("yes") || v.equals("on")) {
      return Optional.of(true);
    }
    if (v.equals("false") || v.equals("no") || v.equals("off")) {
      return Optional.of(false);
    }
    problem(key, "'" + key + "' must be true or false, got '" + s.get() + "'");
    return Optional.empty();
  }

  /** A scalar or a list of scalars, as a list; empty when absent or null. */
  public List<String> strings(String key) {
    if (!has(key)) {
      return List.of();
    }
    Node v = fields.get(key).getValueNode();
    if (v instanceof ScalarNode s) {
      return List.of(s.getValue());
    }
    List<String> out = new ArrayList<>();
    if (v instanceof SequenceNode seq) {
      for (Node item : seq.getValue()) {
        if (item instanceof ScalarNode s) {
          out.add(s.getValue());
        } else {
          problem(key, "every entry of '" + key + "' must be a single value");
        }
      }
      return out;
    }
    problem(key, "'" + key + "' must be a value or a list of values");
    return List.of();
  }

  /** A nested mapping, or empty (with a problem when present but not a mapping). */
  public Optional<YamlObject> object(String key) {
    if (!has(key)) {
      return Optional.empty();
    }
    Node v = fields.get(key).getValueNode();
    if (v instanceof MappingNode) {
      return Optional.of(new YamlObject(file, v, problems));
    }
    return Optional.empty();
  }

  /** A mapping of names to single values (e.g. backfill's {@code set}), in file order. */
  public Map<String, String> stringMap(String key) {
    Map<String, String> out = new LinkedHashMap<>();
    Optional<YamlObject> o = object(key);
    if (o.isEmpty()) {
      if (has(key)) {
        problem(key, "'" + key + "' must be a mapping (name: value)");
      }
      return out;
    }
    for (String k : o.get().keys()) {
      o.get().string(k).ifPresent(v -> out.put(k, v));
    }
    return out;
  }

  /** True when the value under key is a mapping (not a scalar or list). */
  public boolean isObject(String key) {
    return has(key) && fields.get(key).getValueNode() instanceof MappingNode;
  }

  /** A list of mappings; entries that are not mappings are reported. */
  public List<YamlObject> objects(String key) {
    if (!has(key)) {
      return List.of();
    }
    Node v = fields.get(key).getValueNode();
    if (!(v instanceof SequenceNode seq)) {
      problem(key, "'" + key + "' must be a list");
      return List.of();
    }
    List<YamlObject> out = new ArrayList<>();
    for (Node item : seq.getValue()) {
      if (item instanceof MappingNode) {
        out.add(new YamlObject(file, item, problems));
      } else {
        problems.add(
            new Problem(
                file,
                item.getStartMark().getLine() + 1,
                "every entry of '" + key + "' must be a mapping (key: value)"));
      }
    }
    return out;
  }

  private static boolean isNull(Node n) {
    return n instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
  }
}
