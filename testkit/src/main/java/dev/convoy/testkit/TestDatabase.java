package dev.convoy.testkit;

/** A database created for one test; closing drops it and its connections. */
public final class TestDatabase implements AutoCloseable {
  private final String name;
  private final String url;

  TestDatabase(String name, String url) {
    this.name = name;
    this.url = url;
  }

  public String name() {
    return name;
  }

  public String url() {
    return url;
  }

  /** Runs SQL in this database. */
  public void execute(String sql) {
    TestPostgres.run(url, sql);
  }

  /** The first column of the first row as text, or null. */
  public String scalar(String sql) {
    return TestPostgres.scalar(url, sql);
  }

  public long count(String sql) {
    String v = scalar(sql);
    return v == null ? 0 : Long.parseLong(v);
  }

  @Override
  public void close() {
    TestPostgres.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  }
}
