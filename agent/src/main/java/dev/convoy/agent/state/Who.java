package dev.convoy.agent.state;

import java.net.InetAddress;

/**
 * Who applies a change: host and pid, and in distributed mode the agent, epoch, plan and step. The
 * coordinator's (plan, step, epoch) names the command's row in the database's command ledger: every
 * work transaction checks that row is still {@code running} (see {@link WorkFence}).
 */
public record Who(String host, long pid, String agentId, Long epoch, String planId, Integer step) {
  public Who(String host, long pid, String agentId, Long epoch, String planId) {
    this(host, pid, agentId, epoch, planId, null);
  }

  public static Who local() {
    return new Who(hostName(), ProcessHandle.current().pid(), null, null, null, null);
  }

  public static String hostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "unknown-host";
    }
  }

  /** The application_name Convoy's connections carry, so waiters can say who holds the lock. */
  public String applicationName(String role) {
    String n = "convoy " + role + " " + host + ":" + pid;
    return n.length() > 63 ? n.substring(0, 63) : n;
  }
}
