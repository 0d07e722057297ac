package dev.convoy.testkit;

import java.nio.file.Path;

/**
 * Certificates a TLS test server uses, made with {@code openssl} in the server's directory: a CA of
 * the test's own, a server certificate it signed for the host name {@code localhost} only (so
 * {@code 127.0.0.1} does not match it), and a second, unrelated CA whose root must be refused.
 */
public record TestCertificates(Path dir) {
  /** The CA that signed the server's certificate: what sslrootcert must name. */
  public Path caCert() {
    return dir.resolve("ca.crt");
  }

  /** Another CA's certificate, which did not sign the server's. */
  public Path otherCaCert() {
    return dir.resolve("other-ca.crt");
  }

  public Path serverCert() {
    return dir.resolve("server.crt");
  }

  public Path serverKey() {
    return dir.resolve("server.key");
  }

  /** The shell commands that make them in {@link #dir} (EC keys: fast to generate). */
  String script() {
    String ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    return String.join(
        " && ",
        "cd '" + dir + "'",
        "openssl req -x509 " + ec + " -days 3 -subj /CN=convoy-test-ca -keyout ca.key -out ca.crt",
        "openssl req " + ec + " -subj /CN=localhost -keyout server.key -out server.csr",
        "printf 'subjectAltName=DNS:localhost\\n' > san.ext",
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3"
            + " -extfile san.ext -out server.crt",
        "openssl req -x509 "
            + ec
            + " -days 3 -subj /CN=convoy-other-ca -keyout other-ca.key -out other-ca.crt",
        "chmod 600 server.key ca.key other-ca.key",
        "chmod 644 ca.crt other-ca.crt server.crt");
  }
}
