package dev.convoy.agent.engine;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/** Work started ahead of need (reading the directory, starting Vert.x) on threads of its own. */
final class Background {
  private Background() {}

  /** Runs {@code task} on a thread of its own (the common pool has one thread on two cores). */
  static <T> CompletableFuture<T> async(String name, Supplier<T> task) {
    return CompletableFuture.supplyAsync(
        task,
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          t.start();
        });
  }

  static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }
}
