package io.tinyllm.proxy;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;

/** The answers {@link ProxyHttpServer} gives itself, in Ollama's {@code {"error": ...}} shape. */
final class ServerAnswers {
  private ServerAnswers() {}

  /** An answer of {@code status} saying {@code error}, after which the connection closes. */
  static ClassicHttpResponse error(int status, String error) {
    byte[] body =
        ("{\"error\":\"" + Forwarder.jsonEscape(error) + "\"}").getBytes(StandardCharsets.UTF_8);
    BasicClassicHttpResponse response = new BasicClassicHttpResponse(status);
    response.setHeader("Content-Type", "application/json; charset=utf-8");
    response.setHeader("Content-Length", Integer.toString(body.length));
    response.setHeader("Connection", "close");
    response.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
    return response;
  }

  /**
   * Makes {@code response} the answer to a request HttpCore could not take (the connection then
   * closes): 431 for a head over the limits, 400 for one that is not HTTP/1.x.
   */
  static void badRequest(int status, HttpException e, ClassicHttpResponse response) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    String error;
    if (status == 431) {
      error =
          "request head too large: "
              + (message.contains("count")
                  ? "more than " + ProxyHttpServer.MAX_HEADERS + " header fields"
                  : "a request line or header line over " + ProxyHttpServer.MAX_LINE + " bytes");
    } else {
      error = "cannot read the request: " + quoted(message);
    }
    ClassicHttpResponse json = error(status, error);
    response.setCode(status);
    response.setHeaders(json.getHeaders());
    response.setEntity(json.getEntity());
  }

  /** At most 200 characters of {@code text}, quoted: untrusted text in an error stays short. */
  static String quoted(String text) {
    return "'" + (text.length() > 200 ? text.substring(0, 200) + "..." : text) + "'";
  }

  static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
