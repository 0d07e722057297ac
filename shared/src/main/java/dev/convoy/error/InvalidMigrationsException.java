package dev.convoy.error;

import java.util.List;
import java.util.stream.Collectors;

/** Every problem of a migrations directory, reported at once, before any database is touched. */
public class InvalidMigrationsException extends ConvoyException {
  private final List<Problem> problems;

  public InvalidMigrationsException(String directory, List<Problem> problems) {
    super(ErrorCode.BAD_INPUT, render(directory, problems));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }

  private static String render(String directory, List<Problem> problems) {
    if (problems.size() == 1) {
      // One problem, one line: the file and line, what is wrong and what to do.
      return "migrations directory "
          + directory
          + ": "
          + problems.get(0)
          + " (nothing was applied; fix it and run again)";
    }
    return problems.size()
        + (problems.size() == 1 ? " problem" : " problems")
        + " in migrations directory "
        + directory
        + " (nothing was applied; fix these and run again):\n"
        + problems.stream().sorted().map(p -> "  " + p).collect(Collectors.joining("\n"));
  }
}
