package dev.convoy.bench;

/** One stage of one rollout, in milliseconds. */
record StageTiming(
    String env,
    String state,
    double wallMs,
    double sqlMs,
    double gateMs,
    double agentMs,
    double sendMs,
    double pickupMs,
    double extraMs,
    double reportMs) {
  double overheadMs() {
    return wallMs - sqlMs;
  }
}
