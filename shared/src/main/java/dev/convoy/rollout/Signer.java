package dev.convoy.rollout;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 over a command's fields with the key the coordinator and the agents share
 * (CONVOY_SIGNING_KEY): whoever can write to Redis still cannot make an agent run anything.
 */
public final class Signer {
  private final SecretKeySpec key;

  public Signer(String secret) {
    if (secret == null || secret.length() < 16) {
      throw new IllegalArgumentException(
          "the signing key (CONVOY_SIGNING_KEY) must be at least 16 characters");
    }
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }

  public String sign(Command c) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return HexFormat.of()
          .formatHex(mac.doFinal(c.signedPayload().getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * True when {@code c} carries this key's signature of its own fields (compared in constant time).
   */
  public boolean verify(Command c) {
    return c.signature() != null
        && MessageDigest.isEqual(
            sign(c).getBytes(StandardCharsets.UTF_8),
            c.signature().getBytes(StandardCharsets.UTF_8));
  }
}
