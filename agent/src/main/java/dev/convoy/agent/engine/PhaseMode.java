package dev.convoy.agent.engine;

/** How far an upgrade goes: everything, only expand (+backfill), or only contract. */
public enum PhaseMode {
  ALL,
  EXPAND,
  CONTRACT
}
