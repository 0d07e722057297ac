package dev.convoy.cli.log;

import java.time.Instant;
import org.slf4j.MDC;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** A logger of {@link ConvoyLogProvider}: checks {@link LogSettings} on every call. */
final class ConvoyLogger extends LegacyAbstractLogger {
  private static final long serialVersionUID = 1L;

  ConvoyLogger(String name) {
    this.name = name;
  }

  @Override
  public boolean isTraceEnabled() {
    return LogSettings.enabled(name, Level.TRACE);
  }

  @Override
  public boolean isDebugEnabled() {
    return LogSettings.enabled(name, Level.DEBUG);
  }

  @Override
  public boolean isInfoEnabled() {
    return LogSettings.enabled(name, Level.INFO);
  }

  @Override
  public boolean isWarnEnabled() {
    return LogSettings.enabled(name, Level.WARN);
  }

  @Override
  public boolean isErrorEnabled() {
    return LogSettings.enabled(name, Level.ERROR);
  }

  @Override
  protected String getFullyQualifiedCallerName() {
    return null;
  }

  @Override
  protected void handleNormalizedLoggingCall(
      Level level, Marker marker, String pattern, Object[] arguments, Throwable thrown) {
    LogLine line =
        new LogLine(
            Instant.now(),
            level,
            name,
            MessageFormatter.basicArrayFormat(pattern, arguments),
            MDC.getCopyOfContextMap(),
            thrown);
    LogSettings.write(LogSettings.json() ? line.json() : line.text());
  }
}
