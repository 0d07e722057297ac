package dev.convoy.rollout;

import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.Migration;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/** What a plan carries about the migrations: revision ids and checksums, never SQL. */
public final class Plans {
  private Plans() {}

  /** Every revision {@code heads} depends on (their ancestry), with its file's checksum. */
  public static List<Command.Revision> revisions(RevisionGraph graph, Collection<String> heads) {
    List<Command.Revision> out = new ArrayList<>();
    for (String id : graph.sorted(graph.closure(heads))) {
      out.add(new Command.Revision(id, graph.get(id).checksum()));
    }
    return out;
  }

  /** One value for a whole migrations directory: equal digests, equal revisions and files. */
  public static String digest(RevisionGraph graph) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String id : graph.sorted(graph.all().stream().map(Migration::revision).toList())) {
        sha.update((id + "=" + graph.get(id).checksum() + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Why an agent whose directory is {@code graph} must refuse {@code revisions}, or null when it
   * has every one of them with the same checksum.
   */
  public static String mismatch(RevisionGraph graph, List<Command.Revision> revisions) {
    for (Command.Revision r : revisions) {
      var m = graph.find(r.id());
      if (m.isEmpty()) {
        return "revision "
            + r.id()
            + " is not in this agent's migrations directory; deploy the same migrations to every"
            + " environment";
      }
      if (!m.get().checksum().equals(r.checksum())) {
        return "revision "
            + r.id()
            + " ("
            + m.get().file()
            + ") differs: the coordinator has checksum "
            + r.checksum()
            + ", this agent "
            + m.get().checksum();
      }
    }
    return null;
  }
}
