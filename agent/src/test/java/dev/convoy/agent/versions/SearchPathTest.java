package dev.convoy.agent.versions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A version's search path is built from the server's setting with every name quoted. */
class SearchPathTest {
  @Test
  void the_servers_path_is_taken_apart_and_every_name_is_quoted_again() {
    assertEquals(
        List.of("$user", "public", "My Schema"),
        SearchPath.names("\"$user\", Public, \"My Schema\""));
    assertEquals("\"convoy_v_r1\", \"$user\", \"public\"", SearchPath.with("convoy_v_r1", ""));
  }

  @Test
  void a_path_a_database_owner_set_to_smuggle_sql_stays_one_quoted_name() {
    String evil = "public,x;ALTER/**/ROLE/**/app/**/SUPERUSER;--";
    assertEquals(
        "\"convoy_v_r1\", \"public\", \"x;alter/**/role/**/app/**/superuser;--\"",
        SearchPath.with("convoy_v_r1", evil));
  }
}
