package dev.convoy.agent.engine;

import java.time.Duration;

/** One revision the engine ran, and how long it took. */
public record AppliedRevision(
    String revision, String message, Direction direction, Duration took) {}
