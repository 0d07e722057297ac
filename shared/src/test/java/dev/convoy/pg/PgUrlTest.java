package dev.convoy.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.error.ConvoyException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A URL read as libpq reads it: a password never reaches a message or a log, whatever characters it
 * holds or where it is, and a parameter Convoy would ignore is refused saying why.
 */
class PgUrlTest {
  @Test
  void passwords_with_slashes_at_signs_colons_or_in_parameters_of_any_case_are_hidden() {
    assertEquals(
        "postgresql://app:***@db:5432/x", PgUrl.redact("postgresql://app:s3cr/et@db:5432/x"));
    assertEquals("postgresql://app:***@db/x", PgUrl.redact("postgresql://app:s3cr@et@db/x"));
    assertEquals("postgresql://app:***@db/x", PgUrl.redact("postgresql://app:a:b?c@db/x"));
    assertEquals(
        "postgresql://db/x?Password=***&sslmode=require&SSLPASSWORD=***",
        PgUrl.redact("postgresql://db/x?Password=s3cret&sslmode=require&SSLPASSWORD=k3y"));
    assertEquals("postgresql://app@db/x", PgUrl.redact("postgresql://app@db/x"));
  }

  @Test
  void a_bad_url_is_refused_without_showing_its_password() {
    for (String url :
        List.of(
            "postgresql://app:s3cr/et@db:notaport/x",
            "postgresql://app:s3cr@et@db:notaport/x",
            "postgresql://db/x?password=s3cr%zzet",
            "postgresql://db/x?Password=s3cret&nosuch=1")) {
      ConvoyException e = assertThrows(ConvoyException.class, () -> PgUrl.parse(url, "--url"));
      assertFalse(e.getMessage().contains("s3cr"), e.getMessage());
      assertTrue(e.getMessage().startsWith("--url"), e.getMessage());
    }
  }

  @Test
  void libpq_parameters_at_the_values_convoy_honours_anyway_are_accepted_and_others_say_why() {
    PgUrl.parse(
        "postgresql://db/x?gssencmode=disable&target_session_attrs=any&channel_binding=prefer"
            + "&sslnegotiation=postgres",
        "--url");
    String direct =
        assertThrows(
                ConvoyException.class,
                () -> PgUrl.parse("postgresql://db/x?sslnegotiation=direct", "--url"))
            .getMessage();
    assertTrue(direct.contains("sslnegotiation=direct, which Convoy does not support"), direct);
    String path =
        assertThrows(
                ConvoyException.class,
                () -> PgUrl.parse("postgresql://db/x?search_path=app", "--url"))
            .getMessage();
    assertTrue(path.contains("options=-c%20search_path%3Dapp"), path);
    String system =
        assertThrows(
                ConvoyException.class,
                () -> PgUrl.parse("postgresql://db/x?sslrootcert=system", "--url"))
            .getMessage();
    assertTrue(system.contains("sslrootcert=system"), system);
    assertTrue(system.contains("give the path of the CA certificate file"), system);
  }
}
