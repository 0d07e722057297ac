package dev.convoy.cli;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.io.PrintWriter;

/** What every command shares for one run: its output streams and a lazily started Vert.x. */
public final class Cli implements AutoCloseable {
  private final PrintWriter out;
  private final PrintWriter err;
  private Vertx vertx;

  Cli(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  public PrintWriter out() {
    return out;
  }

  public PrintWriter err() {
    return err;
  }

  /** True when stderr is a terminal, so progress can redraw one line. */
  public boolean interactive() {
    return System.console() != null && System.getenv("CONVOY_PLAIN") == null;
  }

  /** Starts Vert.x on a background thread, so it is ready by the time a command needs it. */
  void warmUp() {
    Thread t = new Thread(this::vertx, "convoy-warm-up");
    t.setDaemon(true);
    t.start();
  }

  public synchronized Vertx vertx() {
    if (vertx == null) {
      vertx =
          Vertx.vertx(
              new VertxOptions()
                  .setEventLoopPoolSize(1)
                  .setWorkerPoolSize(2)
                  .setInternalBlockingPoolSize(1)
                  // A CLI reads no classpath resources through Vert.x: skip its file cache.
                  .setFileSystemOptions(
                      new FileSystemOptions()
                          .setFileCachingEnabled(false)
                          .setClassPathResolvingEnabled(false)));
    }
    return vertx;
  }

  @Override
  public synchronized void close() {
    if (vertx != null) {
      try {
        // A connection attempt to a server that never answers can hold Vert.x's close forever;
        // the command has already said what happened, so it does not wait past a few seconds.
        vertx.close().await(5, java.util.concurrent.TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // The command ends regardless (Main exits the JVM).
      } catch (Throwable t) {
        // Closing is best effort.
      }
      vertx = null;
    }
  }
}
