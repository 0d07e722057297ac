package dev.convoy.agent.db;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/** SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding, as PostgreSQL speaks it. */
final class Scram {
  private final String password;
  private final String clientFirstBare;
  private byte[] saltedPassword;
  private String authMessage;

  Scram(String password) {
    this.password = password;
    byte[] nonce = new byte[18];
    new SecureRandom().nextBytes(nonce);
    // The user name is the startup message's; PostgreSQL ignores the one sent here.
    this.clientFirstBare = "n=,r=" + Base64.getEncoder().encodeToString(nonce);
  }

  String clientFirst() {
    return "n,," + clientFirstBare;
  }

  String clientFinal(String serverFirst) {
    Map<String, String> f = attributes(serverFirst);
    String nonce = f.get("r");
    if (nonce == null || !nonce.startsWith(clientFirstBare.substring(5))) {
      throw new WireException(null, "SCRAM: the server's nonce does not extend ours");
    }
    byte[] salt = Base64.getDecoder().decode(f.get("s"));
    int iterations = Integer.parseInt(f.get("i"));
    try {
      saltedPassword =
          SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
              .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256))
              .getEncoded();
      byte[] clientKey = hmac(saltedPassword, "Client Key");
      byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
      String withoutProof = "c=biws,r=" + nonce;
      authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
      byte[] signature = hmac(storedKey, authMessage);
      for (int i = 0; i < clientKey.length; i++) {
        clientKey[i] ^= signature[i];
      }
      return withoutProof + ",p=" + Base64.getEncoder().encodeToString(clientKey);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  void verifyServer(String serverFinal) {
    String v = attributes(serverFinal).get("v");
    try {
      byte[] expected = hmac(hmac(saltedPassword, "Server Key"), authMessage);
      if (v == null || !MessageDigest.isEqual(expected, Base64.getDecoder().decode(v))) {
        throw new WireException(null, "SCRAM: the server's signature does not verify");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String data) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> attributes(String message) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : message.split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        out.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    return out;
  }
}
