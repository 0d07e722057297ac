package dev.convoy.ops;

import java.util.List;
import java.util.Optional;

/** {@code sql}: the author's SQL, sent as written (several statements allowed). */
public record RawSql(String upSql, String downSql, boolean transactional) implements Operation {
  @Override
  public String kind() {
    return "sql";
  }

  @Override
  public String describe() {
    String first = upSql.strip().lines().findFirst().orElse("");
    return "sql " + (first.length() > 60 ? first.substring(0, 57) + "..." : first);
  }

  @Override
  public List<Statement> up(boolean guarded) {
    return List.of(new Statement(upSql, transactional, null));
  }

  @Override
  public List<Statement> down(boolean guarded) {
    return List.of(new Statement(downSql, transactional, null));
  }

  @Override
  public Optional<String> irreversibleReason() {
    return downSql == null
        ? Optional.of(
            describe()
                + " has no 'down' (or no -- +downgrade section) with the SQL that undoes it;"
                + " add one")
        : Optional.empty();
  }
}
