package io.tinyllm.metrics.exporter;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * HTTP basic auth whose comparison takes the same time however much of the guess is right: both
 * sides are hashed to a fixed length and compared with {@link MessageDigest#isEqual}.
 *
 * <p>Every refusal, including a missing, oversized or malformed {@code Authorization} header (not
 * base64, no colon, another scheme), is a 401 with a {@code WWW-Authenticate} challenge on a
 * connection that stays usable. The JDK's own parsing throws on such headers, and the server then
 * drops the connection without an answer.
 */
final class ConstantTimeBasicAuthenticator extends BasicAuthenticator {
  /** Longest {@code Authorization} header looked at; a longer one is refused unread. */
  static final int MAX_HEADER_LENGTH = 4096;

  private static final String SCHEME = "Basic ";
  private final byte[] userHash;
  private final byte[] passwordHash;

  ConstantTimeBasicAuthenticator(String realm, String user, String password) {
    super(realm, UTF_8);
    this.userHash = sha256(requireNonNull(user, "user is null"));
    this.passwordHash = sha256(requireNonNull(password, "password is null"));
  }

  @Override
  public Result authenticate(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    String userPass = decode(header);
    if (userPass != null) {
      int colon = userPass.indexOf(':');
      if (colon >= 0) {
        String user = userPass.substring(0, colon);
        if (checkCredentials(user, userPass.substring(colon + 1))) {
          return new Success(new HttpPrincipal(user, realm));
        }
      }
    }
    exchange
        .getResponseHeaders()
        .set("WWW-Authenticate", "Basic realm=\"" + realm + "\", charset=\"UTF-8\"");
    return new Retry(401);
  }

  /** The decoded {@code user:password} of a basic header, or null if there is none. */
  private static String decode(String header) {
    if (header == null
        || header.length() > MAX_HEADER_LENGTH
        || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return null;
    }
    try {
      return new String(
          Base64.getDecoder().decode(header.substring(SCHEME.length()).trim()), UTF_8);
    } catch (IllegalArgumentException notBase64) {
      return null;
    }
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
