package dev.convoy.cli;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.migration.MigrationDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/** Writes new revision files (revision, merge) into a migrations directory. */
final class MigrationWriter {
  private static final SecureRandom RANDOM = new SecureRandom();

  private MigrationWriter() {}

  static String newRevisionId() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  static String slug(String message) {
    String s =
        message.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    return s.length() > 40 ? s.substring(0, 40).replaceAll("_$", "") : s;
  }

  /**
   * What to write. {@code generatedFrom} and {@code operations} are set by autogenerate: the header
   * names what was compared, and the operations are the differ's YAML list items; both null for a
   * hand-written revision, which gets examples instead.
   */
  record Spec(
      String revision,
      List<String> downRevisions,
      String message,
      List<String> branchLabels,
      List<String> dependsOn,
      boolean sql,
      String generatedFrom,
      String operations) {
    Spec(
        String revision,
        List<String> downRevisions,
        String message,
        List<String> branchLabels,
        List<String> dependsOn,
        boolean sql) {
      this(revision, downRevisions, message, branchLabels, dependsOn, sql, null, null);
    }
  }

  static Path write(Path dir, Spec spec) {
    if (!MigrationDirectory.REVISION_ID.matcher(spec.revision()).matches()) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "revision id '" + spec.revision() + "' must be 4 to 32 characters of a-z, 0-9 and _");
    }
    Path versions = MigrationDirectory.versions(dir);
    String slug = slug(spec.message());
    Path file =
        versions.resolve(
            spec.revision() + (slug.isEmpty() ? "" : "_" + slug) + (spec.sql() ? ".sql" : ".yaml"));
    try {
      Files.createDirectories(versions);
      Files.writeString(file, spec.sql() ? sql(spec) : yaml(spec), StandardOpenOption.CREATE_NEW);
    } catch (IOException e) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT, "cannot write " + file + ": " + e.getMessage(), e);
    }
    return file;
  }

  private static String yaml(Spec s) {
    StringBuilder sb = new StringBuilder();
    sb.append("revision: ").append(id(s.revision())).append('\n');
    sb.append("down_revision: ").append(yamlList(s.downRevisions(), "null")).append('\n');
    sb.append("message: ").append(quote(s.message())).append('\n');
    if (!s.branchLabels().isEmpty()) {
      sb.append("branch_labels: ").append(yamlList(s.branchLabels(), "[]")).append('\n');
    }
    if (!s.dependsOn().isEmpty()) {
      sb.append("depends_on: ").append(yamlList(s.dependsOn(), "[]")).append('\n');
    }
    if (s.operations() != null) {
      sb.append("# Generated ")
          .append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
          .append(" by 'convoy revision --autogenerate' from ")
          .append(s.generatedFrom())
          .append(".\n")
          .append(
              "# Review it before applying: fill in every backfill marked 'fill in', check each"
                  + " drop\n# (DATA AT RISK) and rename hint, and edit what should differ."
                  + " Operations run in order;\n# each has a derived downgrade.\n")
          .append(acknowledgedRename(s.operations()))
          .append("operations:\n")
          .append(s.operations());
      return sb.toString();
    }
    sb.append("# Created ")
        .append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
        .append(" by 'convoy ")
        .append(s.downRevisions().size() > 1 ? "merge" : "revision")
        .append("'. Review before applying.\n");
    if (s.downRevisions().size() > 1) {
      sb.append("operations: []\n");
      return sb.toString();
    }
    sb.append(
        """
        # Operations run in order; each has a derived downgrade. For example:
        #   - op: add_column
        #     table: author
        #     column: {name: email, type: text}
        #   - op: create_index          # CONCURRENTLY unless concurrently: false
        #     table: author
        #     columns: [name]
        #   - op: sql
        #     up: UPDATE author SET name = trim(name)
        #     down: SELECT 1
        # A drop or change must say what it was (drop_column: the column's type; alter_column:
        # from_type; sql: down). Only if it cannot be undone, add 'irreversible: true' above.
        operations: []
        """);
    return sb.toString();
  }

  /**
   * A rename the author asked for with {@code --rename}: the lint rule against renames is
   * acknowledged in the file, so what autogenerate writes passes lint, with the reason beside it.
   */
  private static String acknowledgedRename(String operations) {
    return operations.contains("\n  - op: rename_column\n")
            || operations.startsWith("  - op: rename_column\n")
        ? "# --rename asked for a rename; it breaks the application version that uses the old name\n"
            + "# when it runs (see the operation's comment), so lint's rename rule is acknowledged.\n"
            + "lint: {ignore: [rename]}\n"
        : "";
  }

  private static String sql(Spec s) {
    return "-- revision: "
        + s.revision()
        + "\n-- down_revision: "
        + (s.downRevisions().isEmpty() ? "null" : String.join(", ", s.downRevisions()))
        + "\n-- message: "
        + s.message().replace("\n", " ")
        + (s.branchLabels().isEmpty()
            ? ""
            : "\n-- branch_labels: " + String.join(", ", s.branchLabels()))
        + (s.dependsOn().isEmpty() ? "" : "\n-- depends_on: " + String.join(", ", s.dependsOn()))
        + "\n-- +upgrade\n\n-- +downgrade\n\n";
  }

  /**
   * A revision id as YAML: quoted when a YAML reader would take it for a number (all-digit hex ids,
   * or ones like 1e10), so every tool reads it as the string it is.
   */
  private static String id(String revision) {
    return revision.matches("[0-9_]*([eE][0-9_]+)?") ? "'" + revision + "'" : revision;
  }

  private static String yamlList(List<String> items, String empty) {
    if (items.isEmpty()) {
      return empty;
    }
    items = items.stream().map(MigrationWriter::id).toList();
    return items.size() == 1 ? items.get(0) : "[" + String.join(", ", items) + "]";
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
