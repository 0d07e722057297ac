package dev.convoy.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.error.RevisionException;
import dev.convoy.migration.Migration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Alembic's revision semantics over small graphs written inline. */
class PlannerTest {

  /** "id<-parent1,parent2" entries; "+dep" after a '|' adds depends_on; "@label" a label. */
  private static RevisionGraph graph(String... specs) {
    List<Migration> ms = new ArrayList<>();
    int i = 0;
    for (String spec : specs) {
      String[] deps = spec.split("\\|");
      String[] parts = deps[0].split("<-");
      String id = parts[0];
      List<String> labels = new ArrayList<>();
      if (id.contains("@")) {
        labels.add(id.substring(id.indexOf('@') + 1));
        id = id.substring(0, id.indexOf('@'));
      }
      List<String> down = parts.length > 1 ? Arrays.asList(parts[1].split(",")) : List.of();
      List<String> dependsOn = deps.length > 1 ? Arrays.asList(deps[1].split(",")) : List.of();
      ms.add(
          new Migration(
              id,
              down,
              "m " + id,
              labels,
              dependsOn,
              null,
              List.of(),
              List.of(),
              String.format("versions/%03d_%s.yaml", i++, id),
              "sum",
              Map.of()));
    }
    return new RevisionGraph(ms);
  }

  private static List<String> ids(List<Migration> plan) {
    return plan.stream().map(Migration::revision).toList();
  }

  private final RevisionGraph line = graph("aaaa1", "bbbb2<-aaaa1", "cccc3<-bbbb2", "dddd4<-cccc3");

  @Test
  void upgrade_head_from_base_applies_every_revision_in_order() {
    assertEquals(
        List.of("aaaa1", "bbbb2", "cccc3", "dddd4"),
        ids(new Planner(line).upgrade(List.of(), "head")));
  }

  @Test
  void relative_and_prefixed_targets_resolve_like_alembic() {
    Planner p = new Planner(line);
    assertEquals(List.of("cccc3"), ids(p.upgrade(List.of("bbbb2"), "+1")));
    assertEquals(List.of("aaaa1", "bbbb2"), ids(p.upgrade(List.of(), "+2")));
    assertEquals(List.of("dddd4", "cccc3"), ids(p.downgrade(List.of("dddd4"), "-2")));
    assertEquals("cccc3", p.resolveOne("head-1", List.of()));
    assertEquals("cccc3", p.resolveOne("bbbb2+1", List.of()));
    assertEquals("aaaa1", p.resolveOne("cccc3-2", List.of()));
    assertEquals("bbbb2", p.resolveOne("bbbb", List.of()));
    assertNull(p.resolveOne("base", List.of()));
    assertEquals(
        List.of("dddd4", "cccc3", "bbbb2", "aaaa1"), ids(p.downgrade(List.of("dddd4"), "base")));
    assertEquals(List.of("dddd4", "cccc3"), ids(p.downgrade(List.of("dddd4"), "bbbb2")));
  }

  @Test
  void an_ambiguous_prefix_lists_the_candidates_and_a_short_one_is_refused() {
    RevisionGraph g = graph("abcd1111", "abcd2222<-abcd1111");
    RevisionException e =
        assertThrows(RevisionException.class, () -> new Planner(g).resolveOne("abcd", List.of()));
    assertTrue(e.getMessage().contains("abcd1111, abcd2222"), e.getMessage());
    RevisionException shortOne =
        assertThrows(RevisionException.class, () -> new Planner(g).resolveOne("abc", List.of()));
    assertTrue(shortOne.getMessage().contains("at least 4 characters"), shortOne.getMessage());
    RevisionException unknown =
        assertThrows(RevisionException.class, () -> new Planner(g).resolveOne("ffff", List.of()));
    assertTrue(unknown.getMessage().contains("no revision 'ffff'"), unknown.getMessage());
  }

  private final RevisionGraph branched =
      graph("root1", "left1@left<-root1", "left2<-left1", "rite1@right<-root1");

  @Test
  void upgrade_head_with_two_heads_names_them_and_suggests_heads_or_merge() {
    RevisionException e =
        assertThrows(
            RevisionException.class, () -> new Planner(branched).upgrade(List.of(), "head"));
    assertTrue(e.getMessage().contains("left2, rite1"), e.getMessage());
    assertTrue(e.getMessage().contains("convoy upgrade heads"), e.getMessage());
    assertTrue(e.getMessage().contains("convoy merge heads"), e.getMessage());
    assertEquals(
        List.of("root1", "left1", "left2", "rite1"),
        ids(new Planner(branched).upgrade(List.of(), "heads")));
  }

  @Test
  void label_at_head_upgrades_one_branch_and_leaves_the_other() {
    Planner p = new Planner(branched);
    assertEquals(List.of("root1", "left1", "left2"), ids(p.upgrade(List.of(), "left@head")));
    assertEquals(List.of("rite1"), ids(p.upgrade(List.of("left2"), "right@head")));
    assertEquals(
        List.of("left2", "rite1"),
        List.copyOf(branched.headsOf(branched.closure(List.of("left2", "rite1")))));
  }

  @Test
  void downgrading_one_branch_keeps_the_other_branch_applied() {
    Planner p = new Planner(branched);
    List<Migration> plan = p.downgrade(List.of("left2", "rite1"), "root1");
    assertEquals(List.of("rite1", "left2", "left1"), ids(plan));
    assertEquals(List.of("left2"), ids(p.downgrade(List.of("left2", "rite1"), "left1")));
  }

  @Test
  void a_merge_collapses_heads_and_minus_one_from_it_restores_both() {
    RevisionGraph g = graph("root1", "aaaa1<-root1", "bbbb1<-root1", "merge1<-aaaa1,bbbb1");
    Planner p = new Planner(g);
    assertEquals(List.of("merge1"), g.heads());
    assertEquals(List.of("merge1"), List.copyOf(g.headsOf(g.closure(List.of("merge1")))));
    assertEquals(List.of("merge1"), ids(p.downgrade(List.of("merge1"), "-1")));
    assertEquals(
        List.of("aaaa1", "bbbb1"), List.copyOf(g.headsOf(List.of("root1", "aaaa1", "bbbb1"))));
    RevisionException e =
        assertThrows(RevisionException.class, () -> p.resolveOne("merge1-1", List.of()));
    assertTrue(e.getMessage().contains("merges aaaa1, bbbb1"), e.getMessage());
  }

  @Test
  void depends_on_applies_the_dependency_first_and_downgrading_it_takes_the_dependent_along() {
    RevisionGraph g = graph("core1", "core2<-core1", "plug1|core2");
    Planner p = new Planner(g);
    assertEquals(List.of("core1", "core2", "plug1"), ids(p.upgrade(List.of(), "plug1")));
    assertEquals(List.of("plug1"), List.copyOf(g.headsOf(List.of("core1", "core2", "plug1"))));
    assertEquals(List.of("plug1", "core2"), ids(p.downgrade(List.of("plug1"), "core1")));
  }

  @Test
  void upgrading_to_an_applied_revision_does_nothing_and_downgrading_to_a_pending_one_fails() {
    Planner p = new Planner(line);
    assertTrue(p.upgrade(List.of("dddd4"), "bbbb2").isEmpty());
    RevisionException e =
        assertThrows(RevisionException.class, () -> p.downgrade(List.of("bbbb2"), "dddd4"));
    assertTrue(e.getMessage().contains("not applied"), e.getMessage());
  }

  private final RevisionGraph branches =
      graph("root0", "aaa1<-root0", "bbb1<-root0", "bbb2<-bbb1", "merg<-aaa1,bbb2");

  @Test
  void downgrade_to_several_heads_removes_what_lies_outside_all_of_them() {
    assertEquals(
        List.of("merg", "bbb2"),
        ids(new Planner(branches).downgrade(List.of("merg"), "aaa1,bbb1")));
    // A single-target downgrade to the first branch alone would leave bbb2: exactness matters.
    assertEquals(
        List.of("bbb2"),
        ids(new Planner(branches).downgradeTo(List.of("aaa1", "bbb2"), List.of("aaa1", "bbb1"))));
    assertEquals(
        List.of("merg", "bbb2", "bbb1", "aaa1", "root0"),
        ids(new Planner(branches).downgradeTo(List.of("merg"), List.of())));
  }

  @Test
  void downgrade_to_several_heads_refuses_one_that_is_not_applied() {
    RevisionException e =
        assertThrows(
            RevisionException.class,
            () -> new Planner(branches).downgrade(List.of("aaa1"), "aaa1,bbb1"));
    assertTrue(e.getMessage().contains("bbb1 is not applied"), e.getMessage());
  }
}
