package dev.convoy.cli.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.rollout.LogContext;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The convoy command's own SLF4J provider: what a line says in each format, and when it is written.
 */
@ResourceLock("convoy-logging")
class LogLinesTest {
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  @BeforeEach
  void capture() {
    LogSettings.output(new PrintStream(captured, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    LogSettings.configure(LogSettings.Format.TEXT, Level.WARN);
    LogSettings.output(System.err);
  }

  /**
   * The captured lines of this test's loggers ({@code dev.convoy.logtest.*}, {@code io.logtest.*}):
   * test classes run in parallel, and others log meanwhile.
   */
  private List<String> lines() {
    return captured
        .toString(StandardCharsets.UTF_8)
        .lines()
        .filter(l -> l.contains("logtest"))
        .toList();
  }

  @Test
  void slf4j_finds_convoys_provider_and_no_other() {
    assertEquals(
        ConvoyLogger.class,
        LoggerFactory.getLogger("dev.convoy.anything").getClass(),
        "slf4j-api binds to dev.convoy.cli.log.ConvoyLogProvider");
  }

  @Test
  void
      a_json_line_has_time_level_logger_message_the_rollout_context_and_the_exception_as_one_string() {
    LogSettings.configure(LogSettings.Format.JSON, Level.INFO);
    try (var context = LogContext.of("r1", "prod", 4, 7L)) {
      LoggerFactory.getLogger("dev.convoy.logtest.Driver")
          .warn("step {} said \"no\"\nover two lines", 4, new IllegalStateException("boom"));
    }
    LoggerFactory.getLogger("dev.convoy.logtest.Driver").info("after the step");
    List<String> lines = lines();
    assertEquals(2, lines.size(), String.join("\n", lines));
    JsonObject first = new JsonObject(lines.get(0));
    assertTrue(first.getString("time").endsWith("Z"), first.encode());
    assertEquals("warn", first.getString("level"));
    assertEquals("dev.convoy.logtest.Driver", first.getString("logger"));
    assertEquals("step 4 said \"no\"\nover two lines", first.getString("message"));
    assertEquals("r1", first.getString("rollout"));
    assertEquals("prod", first.getString("env"));
    assertEquals(4, first.getValue("step"));
    assertEquals(7, first.getValue("epoch"));
    assertTrue(
        first.getString("exception").startsWith("java.lang.IllegalStateException: boom\n\tat "),
        first.getString("exception"));
    JsonObject second = new JsonObject(lines.get(1));
    assertFalse(second.containsKey("rollout"), "the context ends with its block: " + second);
    assertFalse(second.containsKey("exception"), second.encode());
  }

  @Test
  void text_stays_the_line_it_was_and_other_libraries_log_only_warnings() {
    LogSettings.configure(LogSettings.Format.TEXT, Level.DEBUG);
    LoggerFactory.getLogger("dev.convoy.logtest.Heartbeat").debug("logtest beat {}", 3);
    LoggerFactory.getLogger("io.logtest.Something").info("logtest chatter");
    LoggerFactory.getLogger("io.logtest.Other").warn("logtest: a real problem");
    List<String> lines = lines();
    assertEquals(2, lines.size(), String.join("\n", lines));
    assertTrue(
        lines
            .get(0)
            .matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[DEBUG\\] Heartbeat - logtest beat 3"),
        lines.get(0));
    assertTrue(lines.get(1).endsWith("[WARN] Other - logtest: a real problem"), lines.get(1));
  }

  @Test
  void below_the_level_nothing_is_written() {
    LogSettings.configure(LogSettings.Format.JSON, Level.WARN);
    LoggerFactory.getLogger("dev.convoy.logtest.Quiet").info("quiet");
    assertEquals(List.of(), lines());
  }
}
