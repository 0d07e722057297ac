package dev.convoy.pg;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import io.vertx.pgclient.PgConnectOptions;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code postgresql://user:pass@host:port/db?param=value} URL read the way libpq reads it, for
 * every client Convoy connects with (pgjdbc for the blocking connections, Vert.x for the others):
 * the server and the login from the URL, the parameters below from its query string, and a clear
 * refusal of a parameter or value Convoy would otherwise ignore.
 *
 * <p>TLS follows libpq: {@code sslmode} is {@code prefer} when absent (try TLS, fall back to
 * plaintext); {@code require} encrypts without checking the certificate, unless {@code sslrootcert}
 * is given, when it checks the chain as {@code verify-ca} does; {@code verify-ca} checks that the
 * server's certificate is signed by {@code sslrootcert} (default {@code ~/.postgresql/root.crt});
 * {@code verify-full} also that it names the host of the URL. {@code sslcert}/{@code sslkey}
 * present a client certificate.
 */
public final class PgUrl {
  /** The parameters Convoy understands, with what each is for (shown when one is misspelled). */
  static final List<String> KNOWN =
      List.of(
          "sslmode",
          "sslrootcert",
          "sslcert",
          "sslkey",
          "sslpassword",
          "connect_timeout",
          "application_name",
          "options",
          "keepalives",
          "host",
          "port",
          "user",
          "password",
          "dbname");

  /**
   * libpq parameters accepted only with the values that ask for what Convoy does anyway: it never
   * uses GSS encryption, negotiates TLS the PostgreSQL way, binds no channel unless asked and reads
   * any server of a single host.
   */
  static final Map<String, List<String>> HARMLESS =
      Map.of(
          "gssencmode", List.of("disable", "prefer"),
          "sslnegotiation", List.of("postgres"),
          "channel_binding", List.of("disable", "prefer"),
          "target_session_attrs", List.of("any"));

  static final List<String> SSL_MODES =
      List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

  private final String url;
  private final String what;
  private final Map<String, String> params;
  private PgConnectOptions server;

  private PgUrl(String url, String what, Map<String, String> params) {
    this.url = url;
    this.what = what;
    this.params = params;
  }

  /**
   * Reads {@code url} ({@code jdbc:} prefix allowed); {@code what} names it in errors, for example
   * "database URL" or "control database URL (--control-url)".
   */
  public static PgUrl parse(String url, String what) {
    if (url == null || url.isBlank()) {
      throw bad(what, "", "is empty: pass postgresql://user:pass@host:port/db");
    }
    String u = url.startsWith("jdbc:") ? url.substring(5) : url;
    if (!u.startsWith("postgresql://") && !u.startsWith("postgres://")) {
      throw bad(
          what,
          u,
          "must start with postgresql:// (for example postgresql://postgres@127.0.0.1:5432/app)");
    }
    Map<String, String> params = query(u, what);
    for (Map.Entry<String, String> e : params.entrySet()) {
      String key = e.getKey();
      if (KNOWN.contains(key)) {
        continue;
      }
      List<String> harmless = HARMLESS.get(key);
      if (harmless != null && harmless.contains(e.getValue())) {
        continue; // libpq's value that asks for what Convoy does anyway
      }
      throw bad(what, u, unsupported(key, e.getValue(), harmless));
    }
    PgUrl p = new PgUrl(u, what, Collections.unmodifiableMap(params));
    p.check(); // the parameters first: their errors say more than the URI parser's
    try {
      p.server = PgConnectOptions.fromUri(u);
    } catch (RuntimeException e) {
      // The parser's message repeats the URL, password included.
      throw bad(
          what,
          u,
          "is not valid: "
              + redact(String.valueOf(e.getMessage()))
              + "; write it as postgresql://user:password@host:port/database");
    }
    if (p.server.getHost() != null && p.server.getHost().startsWith("/")) {
      throw bad(
          what,
          u,
          "names a Unix socket directory ("
              + p.server.getHost()
              + "); Convoy connects over TCP: use host=127.0.0.1 or the server's name");
    }
    return p;
  }

  private void check() {
    String mode = params.get("sslmode");
    if (mode != null && !SSL_MODES.contains(mode)) {
      throw bad(
          what,
          url,
          "has sslmode="
              + mode
              + "; use one of "
              + String.join(", ", SSL_MODES)
              + " (libpq's meanings)");
    }
    if ("system".equals(params.get("sslrootcert"))) {
      throw bad(
          what,
          url,
          "has sslrootcert=system (libpq 16: trust the system's CAs), which Convoy does not"
              + " support yet: give the path of the CA certificate file (a PEM bundle works)");
    }
    for (String file : List.of("sslrootcert", "sslcert", "sslkey")) {
      String path = params.get(file);
      if (path != null && !Files.isReadable(Path.of(path))) {
        throw bad(
            what,
            url,
            "has "
                + file
                + "="
                + path
                + ", which is not a readable file: give the path of a PEM file");
      }
    }
    if ((params.get("sslcert") == null) != (params.get("sslkey") == null)) {
      throw bad(
          what, url, "has only one of sslcert and sslkey: a client certificate needs both files");
    }
    String timeout = params.get("connect_timeout");
    if (timeout != null && !timeout.matches("[0-9]{1,6}")) {
      throw bad(
          what,
          url,
          "has connect_timeout="
              + timeout
              + "; give whole seconds, for example connect_timeout=10");
    }
    String keepalives = params.get("keepalives");
    if (keepalives != null && !keepalives.equals("0") && !keepalives.equals("1")) {
      throw bad(what, url, "has keepalives=" + keepalives + "; use 1 (on, the default) or 0");
    }
    if (verifies() && rootCert() == null) {
      throw bad(
          what,
          url,
          "asks for sslmode="
              + sslMode()
              + " but names no CA certificate to check the server's with: add"
              + " sslrootcert=/path/to/root.crt (or put it at ~/.postgresql/root.crt)");
    }
  }

  /** The URL as given (without a {@code jdbc:} prefix). */
  public String url() {
    return url;
  }

  /** The URL with its password replaced by {@code ***}. */
  public String redacted() {
    return redact(url);
  }

  /** Host, port, database, user and password (Vert.x's reading of the URL), without TLS. */
  public PgConnectOptions server() {
    return new PgConnectOptions(server).setProperties(new LinkedHashMap<>());
  }

  /** A query parameter of the URL, or null. */
  public String param(String name) {
    return params.get(name);
  }

  /**
   * The sslmode in effect, libpq's way: {@code prefer} when absent, and {@code require} with a root
   * certificate checks the chain ({@code verify-ca}).
   */
  public String sslMode() {
    String mode = params.getOrDefault("sslmode", "prefer");
    return mode.equals("require") && params.get("sslrootcert") != null ? "verify-ca" : mode;
  }

  /** Whether the server's certificate is checked (verify-ca or verify-full). */
  public boolean verifies() {
    String mode = sslMode();
    return mode.equals("verify-ca") || mode.equals("verify-full");
  }

  /** The CA certificate to check the server's with: sslrootcert, else libpq's default file. */
  public String rootCert() {
    String given = params.get("sslrootcert");
    if (given != null) {
      return given;
    }
    Path home = Path.of(System.getProperty("user.home"), ".postgresql", "root.crt");
    return Files.isReadable(home) ? home.toString() : null;
  }

  /** The connect timeout in seconds (connect_timeout, else {@code fallback}); 0 means none. */
  public int connectTimeoutSeconds(int fallback) {
    String t = params.get("connect_timeout");
    return t == null ? fallback : Integer.parseInt(t);
  }

  /** A copy pointing at another database of the same server. */
  public String withDatabase(String database) {
    int q = url.indexOf('?');
    String base = q < 0 ? url : url.substring(0, q);
    String query = q < 0 ? "" : url.substring(q);
    int slash = base.indexOf('/', base.indexOf("://") + 3);
    String host = slash < 0 ? base : base.substring(0, slash);
    return host + "/" + database + query;
  }

  public static String redact(String url) {
    if (url == null) {
      return null;
    }
    String out = url;
    int scheme = out.indexOf("://");
    if (scheme >= 0) {
      // The user info ends at the LAST '@' of the authority: a password may hold '/', '@' or ':'.
      int q = out.indexOf('?', scheme + 3);
      int at = out.lastIndexOf('@', q < 0 ? out.length() : q);
      if (at < 0 && q >= 0) {
        at = out.lastIndexOf('@'); // a '?' inside the password
      }
      if (at > scheme) {
        String userInfo = out.substring(scheme + 3, at);
        int colon = userInfo.indexOf(':');
        if (colon >= 0 && !userInfo.matches("(?s).*\\s.*")) {
          out =
              out.substring(0, scheme + 3)
                  + userInfo.substring(0, colon)
                  + ":***"
                  + out.substring(at);
        }
      }
    }
    // Any parameter whose name says password, whatever its case (password, sslpassword...).
    return out.replaceAll("(?i)([?&][^=&]*password[^=&]*=)[^&]*", "$1***");
  }

  private static Map<String, String> query(String url, String what) {
    Map<String, String> out = new LinkedHashMap<>();
    int q = url.indexOf('?');
    if (q < 0) {
      return out;
    }
    for (String pair : url.substring(q + 1).split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        key = URLDecoder.decode(key, StandardCharsets.UTF_8);
        value = URLDecoder.decode(value, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        // The key only: the value may be a password.
        throw bad(
            what,
            url,
            "has a badly escaped value for the parameter '"
                + key
                + "': write each special character as %XX (for example %2F for '/')");
      }
      if (out.put(key, value) != null) {
        throw bad(what, url, "has the parameter '" + key + "' twice: keep one");
      }
    }
    return out;
  }

  private static String unsupported(String key, String value, List<String> harmless) {
    if (key.equals("search_path")) {
      return "has the parameter 'search_path', which libpq does not know: set it with"
          + " options=-c%20search_path%3D"
          + value
          + " instead";
    }
    if (harmless != null) {
      return "has "
          + key
          + "="
          + value
          + ", which Convoy does not support; leave it out or use "
          + String.join(" or ", harmless);
    }
    return "has the parameter '"
        + key
        + "', which Convoy does not support; it reads "
        + String.join(", ", KNOWN)
        + " (and "
        + String.join(", ", new java.util.TreeSet<>(HARMLESS.keySet()))
        + " at their defaults)";
  }

  private static ConvoyException bad(String what, String url, String problem) {
    return new ConvoyException(
        ErrorCode.BAD_INPUT, what + (url.isEmpty() ? " " : " '" + redact(url) + "' ") + problem);
  }

  @Override
  public String toString() {
    return redacted();
  }
}
