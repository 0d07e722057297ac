package dev.convoy.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convoy.ops.AddColumn;
import dev.convoy.ops.RawSql;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpYamlTest {
  @TempDir Path dir;

  private static final List<String> AWKWARD =
      List.of(
          "a: b",
          "x # not a comment",
          "'quoted' \"double\"",
          "line one\nline two\ttab",
          "back\\slash",
          "NULL",
          "on",
          "- dash",
          "[1, 2]",
          "{a}",
          "&anchor *alias !tag %pct @at `tick`",
          "trailing space ",
          "1.5",
          "",
          "caf\u00e9 \u2028 next\u0085");

  @Test
  void every_awkward_scalar_reads_back_as_written() {
    StringBuilder yaml = new StringBuilder();
    for (String s : AWKWARD) {
      yaml.append(new OpYaml().sql(s.isEmpty() ? "SELECT 1" : s, s, true, false).text());
    }
    var ops =
        Schemas.load(dir, List.of(new Change("awkward", yaml.toString(), false))).operations();
    for (int i = 0; i < AWKWARD.size(); i++) {
      RawSql r = (RawSql) ops.get(i);
      assertEquals(AWKWARD.get(i), r.downSql(), "scalar " + i);
    }
  }

  @Test
  void flow_mappings_and_lists_quote_what_flow_style_would_misread() {
    Map<String, Object> column = new LinkedHashMap<>();
    column.put("name", "weird, name");
    column.put("type", "numeric(10,2)");
    column.put("nullable", true);
    column.put("default", "'{}'::jsonb");
    String yaml =
        new OpYaml().op("add_column").field("table", "public").map("column", column).text();
    AddColumn a =
        (AddColumn) Schemas.load(dir, List.of(new Change("", yaml, false))).operations().get(0);
    assertEquals("weird, name", a.column().name());
    assertEquals("numeric(10,2)", a.column().type());
    assertEquals("'{}'::jsonb", a.column().defaultExpr());
  }
}
