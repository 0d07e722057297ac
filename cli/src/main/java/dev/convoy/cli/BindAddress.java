package dev.convoy.cli;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The address a listener binds ({@code --bind}): loopback by default, so a coordinator's API or an
 * agent's metrics are not reachable from other hosts unless the operator says so ({@code 0.0.0.0}
 * for every interface, e.g. in a container). Checked when the command starts, not at the first
 * connection.
 */
final class BindAddress {
  static final String DEFAULT = "127.0.0.1";
  static final String HELP =
      "Address to listen on (CONVOY_BIND): the default 127.0.0.1 is this host only; 0.0.0.0"
          + " every interface, e.g. in a container.";

  private BindAddress() {}

  static String checked(String bind) {
    String b = bind == null ? "" : bind.strip();
    if (b.isEmpty()) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "--bind is empty; give an address of this host, e.g. 127.0.0.1 or 0.0.0.0");
    }
    try {
      InetAddress.getByName(b);
      return b;
    } catch (UnknownHostException | SecurityException e) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "--bind '"
              + b
              + "' is not an address or a host name that resolves; give an address of this"
              + " host, e.g. 127.0.0.1 (this host only) or 0.0.0.0 (every interface)");
    }
  }
}
