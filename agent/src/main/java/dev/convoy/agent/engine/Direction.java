package dev.convoy.agent.engine;

/** Which way a revision runs. */
public enum Direction {
  UPGRADE,
  DOWNGRADE;

  public String word() {
    return this == UPGRADE ? "upgrade" : "downgrade";
  }
}
