package example;

import dev.convoy.Convoy;
import dev.convoy.agent.engine.MigrationResult;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An application that brings its database to the head revision before it starts serving. */
public final class App {
  private static final Logger LOG = LoggerFactory.getLogger(App.class);

  public static void main(String[] args) {
    String url = args.length > 0 ? args[0] : System.getenv("DATABASE_URL");
    try (Convoy convoy = Convoy.configure().url(url).migrations(Path.of("migrations")).load()) {
      MigrationResult r = convoy.upgrade("head");
      LOG.info("Database at {} ({} revision(s) applied); starting", r.to(), r.applied().size());
    }
  }
}
