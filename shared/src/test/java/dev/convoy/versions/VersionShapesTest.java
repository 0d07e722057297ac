package dev.convoy.versions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convoy.ops.AddColumn;
import dev.convoy.ops.AlterColumn;
import dev.convoy.ops.ColumnSpec;
import dev.convoy.ops.DropColumn;
import dev.convoy.ops.DropTable;
import dev.convoy.ops.RenameColumn;
import dev.convoy.ops.RenameTable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What each application version sees of the tables while revisions are in flight. */
class VersionShapesTest {
  /** A graph: p <- r1 <- r2, and p <- b (a branch beside r1). */
  private static final Map<String, Set<String>> ANCESTRY =
      Map.of(
          "p", Set.of("p"),
          "r1", Set.of("p", "r1"),
          "r2", Set.of("p", "r1", "r2"),
          "b", Set.of("p", "b"));

  private static final BiPredicate<String, String> CONTAINS =
      (v, r) -> ANCESTRY.getOrDefault(v, Set.of()).contains(r);

  private static VersionShapes.Physical tables(Map<String, List<String>> t) {
    return name ->
        Optional.ofNullable(t.get(name))
            .map(cols -> new VersionShapes.PhysicalTable("public." + name, name, cols));
  }

  private static String seen(String version, List<InFlight> flying, VersionShapes.Physical db) {
    return VersionShapes.views(version, flying, CONTAINS, db).stream()
        .map(
            v ->
                v.name()
                    + "("
                    + v.columns().stream()
                        .map(
                            c ->
                                c.name().equals(c.source())
                                    ? c.name()
                                    : c.source() + "->" + c.name())
                        .collect(Collectors.joining(","))
                    + ")")
        .collect(Collectors.joining(" "));
  }

  @Test
  void the_old_version_hides_what_expand_added_and_the_new_one_renames_and_retypes() {
    var db =
        tables(Map.of("author", List.of("id", "name", "age", "bio", "age__convoy_new", "email")));
    List<InFlight> flying =
        List.of(
            new InFlight(
                "r1",
                List.of(
                    new RenameColumn("author", "name", "full_name"),
                    new AlterColumn(
                        "author", "age", "bigint", null, "integer", null, false, null, null, false),
                    new DropColumn("author", new ColumnSpec("bio", "text", true, null, false)),
                    new AddColumn("author", new ColumnSpec("email", "text", false, null, false)))));
    assertEquals("author(id,name,age,bio)", seen("p", flying, db));
    assertEquals("author(id,name->full_name,age__convoy_new->age,email)", seen("r1", flying, db));
  }

  @Test
  void a_chain_in_flight_applies_each_revision_of_the_versions_ancestry_in_order() {
    var db = tables(Map.of("author", List.of("id", "name")));
    List<InFlight> flying =
        List.of(
            new InFlight("r1", List.of(new RenameColumn("author", "name", "full_name"))),
            new InFlight("r2", List.of(new RenameTable("author", "writer"))));
    assertEquals("author(id,name)", seen("p", flying, db));
    assertEquals("author(id,name->full_name)", seen("r1", flying, db));
    assertEquals("writer(id,name->full_name)", seen("r2", flying, db));
  }

  @Test
  void a_branch_beside_an_expanded_revision_keeps_the_shape_it_was_written_for() {
    var db = tables(Map.of("author", List.of("id", "name", "email")));
    List<InFlight> flying =
        List.of(
            new InFlight(
                "r1",
                List.of(
                    new AddColumn("author", new ColumnSpec("email", "text", true, null, false)))),
            new InFlight("b", List.of(new RenameColumn("author", "name", "nick"))));
    assertEquals("author(id,name->nick)", seen("b", flying, db));
    assertEquals("author(id,name,email)", seen("r1", flying, db));
  }

  @Test
  void after_a_contract_renamed_things_the_new_shape_still_comes_out_the_same() {
    var db = tables(Map.of("writer", List.of("id", "full_name")));
    List<InFlight> flying =
        List.of(
            new InFlight(
                "r1",
                List.of(
                    new RenameTable("author", "writer"),
                    new RenameColumn("writer", "name", "full_name"))));
    assertEquals("", seen("r1", flying, db), "the table is the new shape: no view needed");
  }

  @Test
  void a_dropped_table_has_no_view_in_the_new_version_and_a_plain_one_in_the_old() {
    var db = tables(Map.of("legacy", List.of("id", "x")));
    List<InFlight> flying =
        List.of(new InFlight("r1", List.of(new DropTable("legacy", List.of(), List.of()))));
    assertEquals("", seen("r1", flying, db));
    assertEquals("legacy(id,x)", seen("p", flying, db));
  }
}
