package dev.convoy.agent.db;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The authentication part of {@link WireSession}'s startup: answers the server's requests for a
 * cleartext, md5 or SCRAM-SHA-256 password on the session's output stream.
 */
final class WireAuth {
  private final DataOutputStream out;

  WireAuth(DataOutputStream out) {
    this.out = out;
  }

  /** Answers one authentication request; returns the SCRAM exchange in progress, if any. */
  Scram answer(byte[] body, String user, String password, Scram scram) throws IOException {
    int code = WireSession.readInt(body, 0);
    switch (code) {
      case 0 -> {
        return null;
      }
      case 3 -> sendPassword(WireSession.cstring(requirePassword(password)));
      case 5 -> {
        String inner = md5Hex((requirePassword(password) + user).getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream salted = new ByteArrayOutputStream();
        salted.writeBytes(inner.getBytes(StandardCharsets.US_ASCII));
        salted.write(body, 4, 4);
        sendPassword(WireSession.cstring("md5" + md5Hex(salted.toByteArray())));
      }
      case 10 -> {
        if (!new String(body, 4, body.length - 4, StandardCharsets.UTF_8)
            .contains("SCRAM-SHA-256\0")) {
          throw new WireException(null, "the server offers no SASL mechanism Convoy speaks");
        }
        Scram s = new Scram(requirePassword(password));
        byte[] first = s.clientFirst().getBytes(StandardCharsets.UTF_8);
        byte[] mech = WireSession.cstring("SCRAM-SHA-256");
        out.writeByte('p');
        out.writeInt(4 + mech.length + 4 + first.length);
        out.write(mech);
        out.writeInt(first.length);
        out.write(first);
        out.flush();
        return s;
      }
      case 11 -> {
        String serverFirst = new String(body, 4, body.length - 4, StandardCharsets.UTF_8);
        sendPassword(scram.clientFinal(serverFirst).getBytes(StandardCharsets.UTF_8));
        return scram;
      }
      case 12 -> scram.verifyServer(new String(body, 4, body.length - 4, StandardCharsets.UTF_8));
      default ->
          throw new WireException(
              null,
              "the server asks for an authentication method (code "
                  + code
                  + ") Convoy's"
                  + " lock connection does not speak; use md5 or scram-sha-256");
    }
    return scram;
  }

  private void sendPassword(byte[] payload) throws IOException {
    out.writeByte('p');
    out.writeInt(4 + payload.length);
    out.write(payload);
    out.flush();
  }

  private static String requirePassword(String password) {
    if (password == null) {
      throw new WireException("28P01", "the server asks for a password and the URL has none");
    }
    return password;
  }

  private static String md5Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
