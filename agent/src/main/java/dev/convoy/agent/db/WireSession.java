package dev.convoy.agent.db;

import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small blocking PostgreSQL client (frontend/backend protocol 3.0, simple queries only) for the
 * migration lock's connection.
 *
 * <p>Why a second client: when many instances of an application start at once, every one of them
 * opens the lock connection, and all but one then only wait. Reaching the lock through Vert.x and
 * its PostgreSQL client costs each process about half a CPU-second of start-up (Netty, the event
 * loop, the client's codecs); this client costs a plain socket. The instance that takes the lock
 * starts Vert.x for the real work; the waiters never do. It speaks only what the lock needs: trust,
 * password, md5 and SCRAM-SHA-256 authentication over plain TCP. A URL asking for TLS ({@code
 * sslmode=require} and stricter) or a Unix socket gets the Vert.x client instead ({@link #open}
 * answers empty).
 */
public final class WireSession implements TextSession {
  private static final int PROTOCOL_3 = 196608;
  private static final int CONNECT_TIMEOUT_MS = 10_000;
  private static final int READ_TIMEOUT_MS = 60_000;

  /** How long a server may take to answer the startup message: a PostgreSQL answers at once. */
  private static final int STARTUP_TIMEOUT_MS = 10_000;

  private final Socket socket;
  private final DataInputStream in;
  private final DataOutputStream out;
  private int pid;

  private WireSession(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 8192));
    this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1024));
  }

  /**
   * Connects as {@code url} says, or answers empty when this client cannot (TLS required, Unix
   * socket). Connection and authentication failures throw, named as {@link PgSession#open} names
   * them.
   */
  public static Optional<TextSession> open(DatabaseUrl url, String applicationName) {
    PgConnectOptions o = url.options();
    SslMode ssl = o.getSslMode();
    if ((ssl != null && ssl != SslMode.DISABLE && ssl != SslMode.ALLOW && ssl != SslMode.PREFER)
        || o.getHost() == null
        || o.getHost().startsWith("/")) {
      return Optional.empty();
    }
    Map<String, String> params = new LinkedHashMap<>();
    params.put("user", o.getUser());
    params.put("database", o.getDatabase());
    params.put("client_encoding", "UTF8");
    if (o.getProperties() != null) {
      params.putAll(o.getProperties());
    }
    params.put("application_name", applicationName);
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.setKeepAlive(true);
      socket.connect(new InetSocketAddress(o.getHost(), o.getPort()), CONNECT_TIMEOUT_MS);
      socket.setSoTimeout(STARTUP_TIMEOUT_MS);
      WireSession s = new WireSession(socket);
      try {
        s.startup(params, o.getUser(), o.getPassword());
      } catch (java.net.SocketTimeoutException silent) {
        throw new IOException(
            "the server accepted the connection but did not answer PostgreSQL's startup within "
                + STARTUP_TIMEOUT_MS / 1000
                + " s: the port in the URL may not be a PostgreSQL server (another service, or a stuck proxy)",
            silent);
      }
      socket.setSoTimeout(READ_TIMEOUT_MS);
      return Optional.of(s);
    } catch (IOException | RuntimeException e) {
      closeQuietly(socket);
      throw PgSession.connectionFailed(url, e);
    }
  }

  @Override
  public List<String[]> rows(String sql) {
    try {
      send(sql);
      out.flush();
      return receive();
    } catch (IOException e) {
      throw lost(e);
    }
  }

  @Override
  public Optional<Failure> pipeline(List<String> sqls, long[] doneAt) {
    try {
      for (String sql : sqls) {
        send(sql);
      }
      out.flush();
      Failure first = null;
      for (int i = 0; i < sqls.size(); i++) {
        try {
          receive();
        } catch (WireException e) {
          if (first == null) {
            first = new Failure(i, e);
          }
        }
        if (doneAt != null) {
          doneAt[i] = System.nanoTime();
        }
      }
      return Optional.ofNullable(first);
    } catch (IOException e) {
      throw lost(e);
    }
  }

  private void send(String sql) throws IOException {
    byte[] q = cstring(sql);
    out.writeByte('Q');
    out.writeInt(4 + q.length);
    out.write(q);
  }

  /** Reads one simple query's answer, up to ReadyForQuery; throws the first error it holds. */
  private List<String[]> receive() throws IOException {
    List<String[]> rows = new ArrayList<>();
    WireException error = null;
    while (true) {
      int type = in.readUnsignedByte();
      byte[] body = new byte[in.readInt() - 4];
      in.readFully(body);
      switch (type) {
        case 'D' -> rows.add(dataRow(body));
        case 'E' -> error = error == null ? WireException.of(body) : error;
        case 'Z' -> {
          if (error != null) {
            throw error;
          }
          return rows;
        }
        default -> {
          // T (row description), C (complete), I (empty), N (notice), S (parameter status).
        }
      }
    }
  }

  private static WireException lost(IOException e) {
    return new WireException(null, "connection to PostgreSQL lost: " + e.getMessage());
  }

  @Override
  public int pid() {
    return pid;
  }

  @Override
  public void close() {
    try {
      out.writeByte('X');
      out.writeInt(4);
      out.flush();
    } catch (IOException e) {
      // Closing a connection that is already gone.
    }
    closeQuietly(socket);
  }

  private void startup(Map<String, String> params, String user, String password)
      throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (Map.Entry<String, String> e : params.entrySet()) {
      if (e.getValue() != null) {
        b.writeBytes(cstring(e.getKey()));
        b.writeBytes(cstring(e.getValue()));
      }
    }
    b.write(0);
    out.writeInt(8 + b.size());
    out.writeInt(PROTOCOL_3);
    b.writeTo(out);
    out.flush();
    WireAuth auth = new WireAuth(out);
    Scram scram = null;
    while (true) {
      int type = in.readUnsignedByte();
      if ("RKEZSNv".indexOf(type) < 0) {
        // Another service on this port (Redis answers '-ERR ...', HTTP 'HTTP/1.1 ...').
        throw new IOException(
            "the server did not answer in PostgreSQL's protocol (its first byte is "
                + (type >= 0x20 && type < 0x7f
                    ? "'" + (char) type + "'"
                    : "0x" + Integer.toHexString(type))
                + "): the port in the URL is not a PostgreSQL server");
      }
      int length = in.readInt();
      if (length < 4 || length > 1 << 20) {
        throw new IOException(
            "the server sent a message of "
                + length
                + " bytes during startup; it does not speak"
                + " PostgreSQL's protocol");
      }
      byte[] body = new byte[length - 4];
      in.readFully(body);
      switch (type) {
        case 'R' -> scram = auth.answer(body, user, password, scram);
        case 'K' ->
            pid =
                ((body[0] & 0xff) << 24)
                    | ((body[1] & 0xff) << 16)
                    | ((body[2] & 0xff) << 8)
                    | (body[3] & 0xff);
        case 'E' -> throw WireException.of(body);
        case 'Z' -> {
          return;
        }
        default -> {
          // S (parameter status), N (notice), v (protocol negotiation).
        }
      }
    }
  }

  private static String[] dataRow(byte[] body) {
    int n = ((body[0] & 0xff) << 8) | (body[1] & 0xff);
    String[] row = new String[n];
    int at = 2;
    for (int i = 0; i < n; i++) {
      int len = readInt(body, at);
      at += 4;
      if (len >= 0) {
        row[i] = new String(body, at, len, StandardCharsets.UTF_8);
        at += len;
      }
    }
    return row;
  }

  static int readInt(byte[] b, int at) {
    return ((b[at] & 0xff) << 24)
        | ((b[at + 1] & 0xff) << 16)
        | ((b[at + 2] & 0xff) << 8)
        | (b[at + 3] & 0xff);
  }

  static byte[] cstring(String s) {
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    byte[] z = new byte[raw.length + 1];
    System.arraycopy(raw, 0, z, 0, raw.length);
    return z;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // Nothing left to release.
    }
  }
}
