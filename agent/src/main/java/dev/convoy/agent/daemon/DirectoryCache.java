package dev.convoy.agent.daemon;

import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.MigrationDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The agent's migrations directory, read again only when a file in it changed (name, size or
 * modification time): heartbeats and every command consult it, and a deploy may replace it while
 * the agent runs.
 */
final class DirectoryCache {
  private final Path dir;
  private String stamp;
  private RevisionGraph graph;

  DirectoryCache(Path dir) {
    this.dir = dir;
  }

  synchronized RevisionGraph graph() {
    String now = stamp();
    if (graph == null || !now.equals(stamp)) {
      graph = MigrationDirectory.load(dir);
      stamp = now;
    }
    return graph;
  }

  private String stamp() {
    Path versions = MigrationDirectory.versions(dir);
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> files = Files.list(versions)) {
      files
          .sorted()
          .forEach(
              f -> {
                try {
                  sb.append(f.getFileName())
                      .append(':')
                      .append(Files.size(f))
                      .append(':')
                      .append(Files.getLastModifiedTime(f).toMillis())
                      .append('\n');
                } catch (IOException e) {
                  sb.append(f.getFileName()).append(":?\n");
                }
              });
    } catch (IOException e) {
      return "unreadable:" + System.nanoTime(); // never cached: load() reports the problem
    }
    return sb.toString();
  }
}
