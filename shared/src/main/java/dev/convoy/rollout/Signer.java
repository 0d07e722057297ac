package dev.convoy.rollout;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 with the key the coordinator and the agents share (CONVOY_SIGNING_KEY), over a
 * command's fields (whoever can write to Redis still cannot make an agent run anything) and over an
 * event's (nor make the coordinator believe a step failed, succeeded or was heard of). Each payload
 * starts with its kind, so a command's signature is never an event's.
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
    return sign(c.signedPayload());
  }

  public String sign(Event e) {
    return sign(e.signedPayload());
  }

  /**
   * True when {@code c} carries this key's signature of its own fields (compared in constant time).
   */
  public boolean verify(Command c) {
    return matches(c.signature(), c.signedPayload());
  }

  /** True when {@code e} carries this key's signature of its own fields. */
  public boolean verify(Event e) {
    return matches(e.signature(), e.signedPayload());
  }

  private boolean matches(String signature, String payload) {
    return signature != null
        && MessageDigest.isEqual(
            sign(payload).getBytes(StandardCharsets.UTF_8),
            signature.getBytes(StandardCharsets.UTF_8));
  }

  private String sign(String payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return HexFormat.of().formatHex(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
