package dev.convoy.cli.log;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The {@code convoy} command's SLF4J 2 provider (found through {@code META-INF/services}): text
 * lines as slf4j-simple wrote them, or JSON lines with the MDC ({@link LogLine}). Our own rather
 * than logback or log4j2 with a JSON layout: those bring a configuration language, a second version
 * family and a megabyte or more into the one jar, for a format of five fields and an MDC; this is
 * four small classes on slf4j-api alone (its {@link BasicMDCAdapter} keeps the MDC per thread).
 * Only the CLI carries it: the agent and coordinator libraries, and applications embedding Convoy,
 * log through slf4j-api to whatever provider they have.
 */
public final class ConvoyLogProvider implements SLF4JServiceProvider {
  private final Map<String, Logger> loggers = new ConcurrentHashMap<>();
  private final ILoggerFactory factory = name -> loggers.computeIfAbsent(name, ConvoyLogger::new);
  private final IMarkerFactory markers = new BasicMarkerFactory();
  private final MDCAdapter mdc = new BasicMDCAdapter();

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {
    // Nothing to read: LogSettings holds the defaults until a daemon's options set them.
  }
}
