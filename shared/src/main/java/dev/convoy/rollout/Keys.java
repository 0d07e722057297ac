package dev.convoy.rollout;

/** Redis keys of one Convoy namespace (several Convoy installations can share a Redis). */
public record Keys(String namespace) {
  public Keys {
    if (namespace == null || !namespace.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException(
          "namespace must be 1-64 letters, digits, '_', '.' or '-': " + namespace);
    }
  }

  /** The stream of commands for one environment (one consumer group per environment). */
  public String commands(String env) {
    return "convoy:" + namespace + ":cmd:" + env;
  }

  /** Every agent's events, read by the coordinator. */
  public String events() {
    return "convoy:" + namespace + ":events";
  }

  /** The coordinator lease. */
  public String leader() {
    return "convoy:" + namespace + ":leader";
  }

  /** The newest leader's epoch, only ever raised: agents refuse commands of an older one. */
  public String epoch() {
    return "convoy:" + namespace + ":epoch";
  }
}
