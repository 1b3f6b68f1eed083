package io.tinyllm.metrics.exporter;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.BasicAuthenticator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * HTTP basic auth whose comparison takes the same time however much of the guess is right: both
 * sides are hashed to a fixed length and compared with {@link MessageDigest#isEqual}.
 */
final class ConstantTimeBasicAuthenticator extends BasicAuthenticator {
  private final byte[] userHash;
  private final byte[] passwordHash;

  ConstantTimeBasicAuthenticator(String realm, String user, String password) {
    super(realm, UTF_8);
    this.userHash = sha256(requireNonNull(user, "user is null"));
    this.passwordHash = sha256(requireNonNull(password, "password is null"));
  }

  @Override
  public boolean checkCredentials(String user, String password) {
    // evaluate both to keep timing independent of which part is wrong
    boolean userOk = MessageDigest.isEqual(userHash, sha256(user == null ? "" : user));
    boolean passwordOk =
        MessageDigest.isEqual(passwordHash, sha256(password == null ? "" : password));
    return userOk & passwordOk;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
