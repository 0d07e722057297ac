package dev.convoy.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy a test controls, to cut a process off from a server (Redis, say) without touching the
 * server: it listens on a free port of 127.0.0.1 and forwards each connection to the target; {@link
 * #cut()} closes every connection and refuses new ones (accepted and closed at once) until {@link
 * #restore()}.
 */
public final class TcpProxy implements AutoCloseable {
  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
  private final Set<Socket> dropped = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile boolean cut;
  private volatile boolean closed;

  public TcpProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    try {
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new IllegalStateException("cannot listen for the proxy: " + e.getMessage(), e);
    }
    this.acceptor = new Thread(this::accept, "tcp-proxy-" + port());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** The port to connect to instead of the target's. */
  public int port() {
    return server.getLocalPort();
  }

  /** Closes every connection through the proxy and refuses new ones. */
  public void cut() {
    cut = true;
    for (Socket s : open) {
      closeQuietly(s);
    }
    open.clear();
  }

  /**
   * Closes the client side of every open connection while the server side stays open, what it sends
   * read and thrown away: the client sees its connection break, the server notices nothing and
   * finishes what it had received (as when a network between them fails on one side only). New
   * connections are forwarded as usual.
   */
  public void dropClients() {
    for (Socket c : clients) {
      dropped.add(c);
      closeQuietly(c);
    }
    clients.clear();
  }

  /** Forwards new connections again. */
  public void restore() {
    cut = false;
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      if (cut) {
        closeQuietly(client);
        continue;
      }
      Socket upstream = new Socket();
      try {
        upstream.connect(new InetSocketAddress(targetHost, targetPort), 5000);
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(upstream);
        continue;
      }
      open.add(client);
      open.add(upstream);
      clients.add(client);
      pipe(client, upstream);
      pipe(upstream, client);
      if (cut) { // cut while connecting
        closeQuietly(client);
        closeQuietly(upstream);
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16 * 1024];
              try (InputStream in = from.getInputStream()) {
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                  if (dropped.contains(to)) {
                    continue; // the client was dropped: drain what the server sends
                  }
                  try {
                    out.write(buf, 0, n);
                    out.flush();
                  } catch (IOException e) {
                    if (!dropped.contains(to)) {
                      throw e;
                    }
                  }
                }
              } catch (IOException e) {
                // One side closed (or the proxy cut it): close both.
              } finally {
                if (!dropped.contains(from)) {
                  // A dropped client leaves the server's side open (its own pipe drains it).
                  closeQuietly(from);
                  closeQuietly(to);
                  open.remove(from);
                  open.remove(to);
                  clients.remove(from);
                  clients.remove(to);
                }
              }
            },
            "tcp-proxy-pipe");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // Already closed.
    }
  }

  @Override
  public void close() {
    closed = true;
    cut();
    try {
      server.close();
    } catch (IOException e) {
      // Already closed.
    }
  }
}
