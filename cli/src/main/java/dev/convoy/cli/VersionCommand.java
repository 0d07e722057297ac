package dev.convoy.cli;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.versions.VersionSettings;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.graph.Planner;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.versions.VersionNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "version",
    description = {
      "Print how an application selects the schema version of revision REV.",
      "url: the database URL with the version's search_path and application_name;"
          + " search-path: the search_path to set; role: creates (or updates) the version's"
          + " login role, whose search_path in this database is the version's, for poolers and"
          + " applications that set search_path themselves."
    })
final class VersionCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin DbOptions db;

  @Parameters(index = "0", paramLabel = "WHAT", description = "url, search-path or role.")
  String what;

  @Parameters(index = "1", paramLabel = "REV", description = "A revision: head, an id, a prefix.")
  String revision;

  @Option(
      names = "--inherit",
      paramLabel = "ROLE",
      description =
          "With role: the role the version's role is made a member of, for its privileges.")
  String inherit;

  @Option(
      names = "--password-file",
      paramLabel = "FILE",
      description =
          "With role: a file holding the version role's password (never on the command line).")
  Path passwordFile;

  VersionCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    if (!List.of("url", "search-path", "role").contains(what)) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "convoy version: '"
              + what
              + "' is not one of url, search-path, role. Example: convoy version url head");
    }
    if (!db.hasUrl()) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "convoy version " + what + " needs the database: give --url or CONVOY_DATABASE_URL.");
    }
    RevisionGraph graph = db.graph();
    DatabaseView view = DatabaseView.read(cli, db, graph, true);
    String rev = new Planner(graph).resolveOne(revision, view.snapshot.heads());
    String name = VersionNames.of(db.schema, rev);
    VersionSettings settings = new VersionSettings(new DatabaseUrl(db.url), db.schema);
    VersionSettings.Status status = settings.status(rev, view.applied(graph));
    String path = status.searchPath();
    String url = versionUrl(db.url, path, name);
    if (what.equals("role")) {
      path = settings.ensureRole(rev, inherit, password());
      url = roleUrl(db.url, name);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("revision", rev);
    doc.put("version", name);
    doc.put("search_path", path);
    doc.put("url", url);
    doc.put("role", what.equals("role") ? name : null);
    doc.put("in_database", status.schemaExists());
    if (db.json) {
      Json.print(cli.out(), doc);
    } else {
      cli.out().println(what.equals("search-path") ? path : url);
    }
    cli.out().flush();
    if (!status.applied() && !status.expanded() && !db.json) {
      cli.err()
          .println(
              "note: "
                  + rev
                  + " is not applied or expanded in this database yet; until it is, its version"
                  + " shows the tables as they are.");
    }
    if (hasPassword(db.url) && !what.equals("search-path") && !db.json) {
      cli.err()
          .println("note: the password is left out of the URL; add yours (or use PGPASSFILE).");
    }
    cli.err().flush();
    return 0;
  }

  private String password() {
    if (passwordFile == null) {
      return null;
    }
    try {
      return Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
    } catch (java.io.IOException e) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT, "--password-file " + passwordFile + ": cannot read it (" + e + ").");
    }
  }

  /** The URL without its password, options and application_name, with the version's instead. */
  static String versionUrl(String url, String searchPath, String name) {
    String u = withoutPassword(url);
    String option = "-c search_path=" + searchPath.replace(", ", ",").replace(" ", "\\ ");
    String kept = param(u, "options");
    return withParams(
        u,
        Map.of(
            "options",
            kept == null ? option : option + " " + kept,
            "application_name",
            name,
            "password",
            "",
            "passfile",
            ""));
  }

  /** A query parameter of {@code url}, decoded, or null. */
  private static String param(String url, String key) {
    int q = url.indexOf('?');
    if (q < 0) {
      return null;
    }
    for (String kv : url.substring(q + 1).split("&")) {
      if (kv.startsWith(key + "=")) {
        return java.net.URLDecoder.decode(
            kv.substring(key.length() + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** The URL as the version's role, without password. */
  static String roleUrl(String url, String role) {
    String u = withoutPassword(url);
    int scheme = u.indexOf("://") + 3;
    int q = u.indexOf('?');
    int at = u.lastIndexOf('@', q < 0 ? u.length() : q);
    String rest = at >= scheme ? u.substring(at + 1) : u.substring(scheme);
    return withParams(
        u.substring(0, scheme) + encode(role) + "@" + rest,
        Map.of("application_name", role, "user", "", "password", "", "passfile", ""));
  }

  private static boolean hasPassword(String url) {
    return !withoutPassword(url).equals(url) || param(url, "password") != null;
  }

  static String withoutPassword(String url) {
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return url;
    }
    int q = url.indexOf('?', scheme + 3);
    int at = url.lastIndexOf('@', q < 0 ? url.length() : q);
    if (at <= scheme) {
      return url;
    }
    String userInfo = url.substring(scheme + 3, at);
    int colon = userInfo.indexOf(':');
    return colon < 0
        ? url
        : url.substring(0, scheme + 3) + userInfo.substring(0, colon) + url.substring(at);
  }

  private static String withParams(String url, Map<String, String> add) {
    int q = url.indexOf('?');
    String base = q < 0 ? url : url.substring(0, q);
    StringBuilder out = new StringBuilder(base);
    char sep = '?';
    if (q >= 0) {
      for (String kv : url.substring(q + 1).split("&")) {
        String key = kv.contains("=") ? kv.substring(0, kv.indexOf('=')) : kv;
        if (!kv.isEmpty() && !add.containsKey(key)) {
          out.append(sep).append(kv);
          sep = '&';
        }
      }
    }
    for (String key : List.of("options", "application_name")) {
      if (add.containsKey(key) && !add.get(key).isEmpty()) {
        out.append(sep).append(key).append('=').append(encode(add.get(key)));
        sep = '&';
      }
    }
    return out.toString();
  }

  /** Percent-encoding as libpq reads it (no '+' for a space). */
  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
