package dev.convoy.agent.lock;

import java.time.OffsetDateTime;

/** The session holding the migration lock, as pg_stat_activity describes it. */
public record LockHolder(int pid, String applicationName, String clientAddr, OffsetDateTime since) {
  @Override
  public String toString() {
    return "pid "
        + pid
        + " ("
        + (applicationName == null || applicationName.isEmpty()
            ? "no application_name"
            : applicationName)
        + (clientAddr == null ? "" : ", from " + clientAddr)
        + ")"
        + (since == null ? "" : " since " + since);
  }
}
