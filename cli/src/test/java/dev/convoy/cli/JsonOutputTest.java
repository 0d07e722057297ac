package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --json}: stdout is one JSON document with the documented fields, for scripts. */
class JsonOutputTest {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  @TempDir Path dir;

  @Test
  void upgrade_json_reports_from_to_and_each_applied_revision_with_its_duration() {
    new MigrationFiles(dir).chain(2);
    try (TestDatabase db = TestPostgres.createDatabase("json_upgrade")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());

      JsonNode doc = json(convoy.run("upgrade", "head", "--json").exits(0));

      assertEquals(List.of(), texts(doc.get("from")));
      assertEquals(List.of("r0002"), texts(doc.get("to")));
      JsonNode applied = doc.get("applied");
      assertEquals(2, applied.size(), doc.toPrettyString());
      assertEquals("r0001", applied.get(0).get("revision").asText());
      assertEquals("r0002", applied.get(1).get("revision").asText());
      for (JsonNode a : applied) {
        assertEquals("upgrade", a.get("direction").asText(), doc.toPrettyString());
        assertTrue(a.get("duration_ms").isIntegralNumber(), doc.toPrettyString());
        assertTrue(a.get("duration_ms").asLong() >= 0, doc.toPrettyString());
      }
      assertEquals("r0002", db.scalar("SELECT revision FROM convoy.version"));

      JsonNode again = json(convoy.run("upgrade", "head", "--json").exits(0));
      assertEquals(List.of("r0002"), texts(again.get("from")));
      assertEquals(List.of("r0002"), texts(again.get("to")));
      assertEquals(0, again.get("applied").size());

      JsonNode down = json(convoy.run("downgrade", "-1", "--json").exits(0));
      assertEquals(List.of("r0001"), texts(down.get("to")));
      assertEquals("r0002", down.get("applied").get(0).get("revision").asText());
      assertEquals("downgrade", down.get("applied").get(0).get("direction").asText());
    }
  }

  @Test
  void current_json_lists_the_heads_and_whether_the_database_is_at_head() {
    new MigrationFiles(dir).chain(2);
    try (TestDatabase db = TestPostgres.createDatabase("json_current")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "r0001").exits(0);

      JsonNode behind = json(convoy.run("current", "--json").exits(0));
      assertEquals(List.of("r0001"), texts(behind.get("heads")));
      assertFalse(behind.get("at_head").asBoolean(), behind.toPrettyString());
      assertEquals("r0001", behind.get("revisions").get(0).get("revision").asText());
      assertTrue(behind.get("revisions").get(0).get("applied").asBoolean());
      assertFalse(behind.get("revisions").get(0).get("applied_at").isNull());

      convoy.run("upgrade", "head").exits(0);
      JsonNode atHead = json(convoy.run("current", "--json").exits(0));
      assertEquals(List.of("r0002"), texts(atHead.get("heads")));
      assertTrue(atHead.get("at_head").asBoolean(), atHead.toPrettyString());
    }
  }

  @Test
  void history_json_is_a_list_newest_first_marking_what_is_applied() {
    new MigrationFiles(dir).chain(3);
    try (TestDatabase db = TestPostgres.createDatabase("json_history")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "r0002").exits(0);

      JsonNode doc = json(convoy.run("history", "--json").exits(0));

      assertTrue(doc.isArray(), doc.toPrettyString());
      List<String> revisions = new ArrayList<>();
      List<Boolean> applied = new ArrayList<>();
      for (JsonNode m : doc) {
        revisions.add(m.get("revision").asText());
        applied.add(m.get("applied").asBoolean());
      }
      assertEquals(List.of("r0003", "r0002", "r0001"), revisions);
      assertEquals(List.of(false, true, true), applied);
      assertEquals(List.of("r0002"), texts(doc.get(0).get("down_revisions")));
      assertTrue(doc.get(1).get("current").asBoolean(), doc.toPrettyString());
      assertTrue(doc.get(0).get("head").asBoolean(), doc.toPrettyString());
      assertEquals("versions/r0001.sql", doc.get(2).get("file").asText());
    }
  }

  @Test
  void check_json_reports_pending_revisions_and_edited_files_with_both_checksums()
      throws IOException {
    new MigrationFiles(dir).chain(2);
    try (TestDatabase db = TestPostgres.createDatabase("json_check")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "r0001").exits(0);

      JsonNode ok = json(convoy.run("check", "--json").exits(0));
      assertTrue(ok.get("ok").asBoolean(), ok.toPrettyString());
      assertEquals(List.of("r0002"), texts(ok.get("pending")));
      assertEquals(0, ok.get("changed").size());
      assertEquals(0, ok.get("unknown_applied").size());

      Path f = dir.resolve("versions/r0001.sql");
      Files.writeString(f, Files.readString(f) + "-- edited\n");
      JsonNode bad = json(convoy.run("check", "--json").exits(2));

      assertFalse(bad.get("ok").asBoolean(), bad.toPrettyString());
      JsonNode changed = bad.get("changed").get(0);
      assertEquals("r0001", changed.get("revision").asText());
      assertEquals("versions/r0001.sql", changed.get("file").asText());
      assertEquals(64, changed.get("recorded_checksum").asText().length());
      assertNotEquals(
          changed.get("recorded_checksum").asText(), changed.get("current_checksum").asText());
    }
  }

  @Test
  void heads_json_is_a_list_of_the_head_revisions() {
    new MigrationFiles(dir).chain(2);
    JsonNode doc = json(ConvoyShell.offline(dir).run("heads", "--json").exits(0));

    assertEquals(1, doc.size(), doc.toPrettyString());
    assertEquals("r0002", doc.get(0).get("revision").asText());
    assertFalse(doc.get(0).get("applied").asBoolean());
  }

  /** stdout parsed as exactly one JSON document: nothing else may be printed there. */
  private static JsonNode json(ConvoyShell.Result r) {
    try {
      return MAPPER.readTree(r.out());
    } catch (JsonProcessingException e) {
      throw new AssertionError("stdout is not one JSON document: " + e.getMessage() + "\n" + r, e);
    }
  }

  private static List<String> texts(JsonNode array) {
    assertTrue(array != null && array.isArray(), "a JSON array: " + array);
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
