package dev.convoy.migration;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.error.InvalidMigrationsException;
import dev.convoy.error.Problem;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.lint.TransactionControl;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A migrations directory: {@code <dir>/versions/*.yaml|*.yml|*.sql}. Loading reads every file and
 * checks the whole graph, then either returns it or throws one report of every problem found.
 */
public final class MigrationDirectory {
  public static final Pattern REVISION_ID = Pattern.compile("[a-z0-9_]{4,32}");

  private MigrationDirectory() {}

  /** The versions folder of a migrations directory. */
  public static Path versions(Path dir) {
    return dir.resolve("versions");
  }

  public static RevisionGraph load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "migrations directory "
              + dir.toAbsolutePath()
              + " does not exist; pass --dir (or set CONVOY_MIGRATIONS_DIR) to the folder that"
              + " holds versions/, or run 'convoy revision -m \"first\"' to start one");
    }
    requireReadable(dir, "migrations directory");
    List<Problem> problems = new ArrayList<>();
    List<Migration> migrations = new ArrayList<>();
    Set<String> broken = new HashSet<>();
    for (Path f : files(versions(dir))) {
      String name = dir.relativize(f).toString();
      String text;
      try {
        text =
            StandardCharsets.UTF_8
                .newDecoder()
                .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(f)))
                .toString();
      } catch (CharacterCodingException e) {
        problems.add(new Problem(name, 0, "not UTF-8 text"));
        continue;
      } catch (IOException e) {
        problems.add(new Problem(name, 0, "cannot be read: " + reason(e)));
        continue;
      }
      Optional<Migration> m =
          name.endsWith(".sql")
              ? SqlMigrationParser.parse(name, text, problems)
              : YamlMigrationParser.parse(name, text, problems);
      if (m.isPresent()) {
        migrations.add(m.get());
      } else {
        declaredRevision(text).ifPresent(broken::add);
      }
    }
    problems.addAll(transactionControl(migrations));
    problems.addAll(checkGraph(migrations, broken));
    if (!problems.isEmpty()) {
      throw new InvalidMigrationsException(dir.toString(), problems);
    }
    return new RevisionGraph(migrations);
  }

  private static List<Path> files(Path versions) {
    if (!Files.isDirectory(versions)) {
      return List.of();
    }
    requireReadable(versions, "folder");
    try (Stream<Path> s = Files.list(versions)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(
              p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".sql");
              })
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT, "cannot list " + versions + ": " + reason(e), e);
    }
  }

  /** SQL run inside Convoy's transaction must not end it (see {@link TransactionControl}). */
  private static List<Problem> transactionControl(List<Migration> migrations) {
    List<Problem> out = new ArrayList<>();
    for (Migration m : migrations) {
      if (Boolean.FALSE.equals(m.declaredTransactional())) {
        continue;
      }
      for (dev.convoy.ops.Operation op : m.operations()) {
        if (op instanceof dev.convoy.ops.RawSql r && r.transactional()) {
          for (String sql : java.util.Arrays.asList(r.upSql(), r.downSql())) {
            TransactionControl.find(sql)
                .ifPresent(
                    stmt ->
                        out.add(
                            new Problem(
                                m.file(),
                                0,
                                "'"
                                    + stmt
                                    + "' ends or starts a transaction inside the one Convoy runs the"
                                    + " revision in (its version row would be recorded even if a"
                                    + " later statement failed); remove it, or mark the revision"
                                    + " 'transactional: false' to run its statements one by one")));
          }
        }
      }
    }
    return out;
  }

  /**
   * Refuses a folder this user may not list or enter: without the check it would read as empty, and
   * an unreadable directory would be reported as one with no revisions.
   */
  private static void requireReadable(Path folder, String what) {
    if (!Files.isReadable(folder) || !Files.isExecutable(folder)) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          what
              + " "
              + folder.toAbsolutePath()
              + " cannot be read by user "
              + System.getProperty("user.name")
              + " (permission denied); give this user read access (chmod -R a+rX "
              + folder.toAbsolutePath()
              + ") or run convoy as the folder's owner");
    }
  }

  /** An I/O failure in words: Java's AccessDeniedException says only the path. */
  private static String reason(IOException e) {
    return e instanceof java.nio.file.AccessDeniedException
        ? "permission denied for user " + System.getProperty("user.name")
        : e.getMessage();
  }

  /** Ids, references, labels and cycles: everything about the files taken together. */
  /**
   * The revision a file that failed to parse declares, so references to it are not reported as
   * unknown on top of the file's own problems.
   */
  private static Optional<String> declaredRevision(String text) {
    Matcher m = DECLARED.matcher(text);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private static final Pattern DECLARED =
      Pattern.compile("^(?:--\\s*)?revision\\s*:\\s*['\"]?([A-Za-z0-9_]+)", Pattern.MULTILINE);

  static List<Problem> checkGraph(List<Migration> migrations, Set<String> broken) {
    List<Problem> problems = new ArrayList<>();
    Map<String, Migration> byId = new HashMap<>();
    Map<String, Migration> byLabel = new HashMap<>();
    for (Migration m : migrations) {
      if (!REVISION_ID.matcher(m.revision()).matches()) {
        problems.add(
            new Problem(
                m.file(),
                m.line("revision"),
                "revision id '"
                    + m.revision()
                    + "' must be 4 to 32 characters of a-z, 0-9 and _ (convoy revision makes 12"
                    + " hex characters)"));
      }
      Migration other = byId.putIfAbsent(m.revision(), m);
      if (other != null) {
        problems.add(
            new Problem(
                m.file(),
                m.line("revision"),
                "duplicate revision id '" + m.revision() + "', also in " + other.file()));
      }
      for (String label : m.branchLabels()) {
        Migration o = byLabel.putIfAbsent(label, m);
        if (o != null) {
          problems.add(
              new Problem(
                  m.file(),
                  m.line("branch_labels"),
                  "branch label '" + label + "' is also used by " + o.file()));
        }
      }
    }
    for (Migration m : migrations) {
      for (String d : m.downRevisions()) {
        if (!byId.containsKey(d) && !broken.contains(d)) {
          problems.add(
              new Problem(
                  m.file(),
                  m.line("down_revision"),
                  "down_revision '" + d + "' is not a revision in this directory"));
        }
      }
      if (Boolean.TRUE.equals(m.declaredTransactional())
          && m.operations().stream().anyMatch(o -> o.needsOutsideTransaction())) {
        problems.add(
            new Problem(
                m.file(),
                m.line("transactional"),
                "revision "
                    + m.revision()
                    + " says 'transactional: true' but has an operation PostgreSQL cannot run"
                    + " inside a transaction (CREATE/DROP INDEX CONCURRENTLY); remove"
                    + " 'transactional: true', or set 'concurrently: false' on the index"));
      }
      problems.addAll(Reversibility.problems(m));
      for (String d : m.dependsOn()) {
        if (!byId.containsKey(d) && !byLabel.containsKey(d) && !broken.contains(d)) {
          problems.add(
              new Problem(
                  m.file(),
                  m.line("depends_on"),
                  "depends_on '" + d + "' is not a revision or branch label in this directory"));
        }
      }
    }
    problems.addAll(cycles(migrations, byId));
    return problems;
  }

  private static List<Problem> cycles(List<Migration> migrations, Map<String, Migration> byId) {
    List<Problem> problems = new ArrayList<>();
    Map<String, Integer> state = new HashMap<>(); // 1 = on stack, 2 = done
    for (Migration m : migrations) {
      List<String> path = new ArrayList<>();
      if (visit(m.revision(), byId, state, path)) {
        Migration at = byId.get(path.get(path.size() - 1));
        problems.add(
            new Problem(
                at.file(),
                at.line("down_revision"),
                "revisions form a cycle: " + String.join(" -> ", path)));
        return problems;
      }
    }
    return problems;
  }

  /** Depth-first over down_revisions; true (with the cycle in path) when one is found. */
  private static boolean visit(
      String id, Map<String, Migration> byId, Map<String, Integer> state, List<String> path) {
    Integer s = state.get(id);
    if (s != null && s == 2) {
      return false;
    }
    path.add(id);
    if (s != null && s == 1) {
      int first = path.indexOf(id);
      path.subList(0, first).clear();
      return true;
    }
    state.put(id, 1);
    Migration m = byId.get(id);
    if (m != null) {
      for (String d : m.downRevisions()) {
        if (visit(d, byId, state, path)) {
          return true;
        }
      }
    }
    state.put(id, 2);
    path.remove(path.size() - 1);
    return false;
  }
}
