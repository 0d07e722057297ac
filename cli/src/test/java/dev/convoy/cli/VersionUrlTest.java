package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The URLs `convoy version` prints carry the version and never a password. */
class VersionUrlTest {
  @Test
  void the_version_url_keeps_the_users_options_and_drops_every_password() {
    assertEquals(
        "postgresql://app@db:5432/shop?sslmode=require&options=-c%20search_path%3D%22v%22%2C%22public%22%20-c%20statement_timeout%3D5s&application_name=v",
        VersionCommand.versionUrl(
            "postgresql://app:secret@db:5432/shop?sslmode=require&password=hunter2&options=-c%20statement_timeout%3D5s",
            "\"v\", \"public\"", "v"));
  }

  @Test
  void a_quoted_schema_name_with_a_space_is_escaped_as_libpq_reads_options() {
    assertEquals(
        "postgresql://db/shop?options=-c%20search_path%3D%22v%22%2C%22my%5C%20s%22&application_name=v",
        VersionCommand.versionUrl("postgresql://db/shop", "\"v\", \"my s\"", "v"));
  }

  @Test
  void the_role_url_logs_in_as_the_role_whatever_user_the_url_named() {
    assertEquals(
        "postgresql://convoy_v_r1@db/shop?sslmode=require&application_name=convoy_v_r1",
        VersionCommand.roleUrl(
            "postgresql://127.0.0.1/shop?user=postgres&password=hunter2&sslmode=require"
                .replace("127.0.0.1", "db"),
            "convoy_v_r1"));
  }
}
