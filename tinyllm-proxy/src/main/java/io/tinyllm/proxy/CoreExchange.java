package io.tinyllm.proxy;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpVersion;
import org.apache.hc.core5.http.io.HttpServerRequestHandler;
import org.apache.hc.core5.http.io.entity.AbstractHttpEntity;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;
import org.apache.hc.core5.http.message.BasicClassicHttpResponse;

/**
 * A {@link ProxyExchange} carried by Apache HttpCore 5's classic server ({@link ProxyHttpServer}):
 * the library parses the request and frames the answer (chunked or of a known length); the body
 * callback runs inside the library's write of the answer, on the connection's own thread.
 */
final class CoreExchange implements ProxyExchange {
  private final ClassicHttpRequest request;
  private final HttpServerRequestHandler.ResponseTrigger trigger;
  private final Runnable abort;
  private final String rawPath;
  private final String rawQuery;
  private final String path;
  private final List<Map.Entry<String, String>> requestHeaderFields = new ArrayList<>();
  private final RequestBody body;
  private final BasicClassicHttpResponse response = new BasicClassicHttpResponse(200);
  private boolean responded;

  /**
   * The exchange of {@code request}, answered through {@code trigger}; {@code abort} drops the
   * connection at once.
   *
   * @throws IllegalArgumentException when the request's target is not a valid URI path
   */
  CoreExchange(
      ClassicHttpRequest request, HttpServerRequestHandler.ResponseTrigger trigger, Runnable abort)
      throws IOException {
    this.request = requireNonNull(request, "request is null");
    this.trigger = requireNonNull(trigger, "trigger is null");
    this.abort = requireNonNull(abort, "abort is null");
    String target = request.getPath();
    int question = target.indexOf('?');
    rawPath = question < 0 ? target : target.substring(0, question);
    rawQuery = question < 0 ? null : target.substring(question + 1);
    // most paths have nothing to decode; URI says what the JDK server's getPath() said otherwise
    path = rawPath.indexOf('%') < 0 ? rawPath : URI.create(rawPath).getPath();
    for (Iterator<Header> it = request.headerIterator(); it.hasNext(); ) {
      Header header = it.next();
      requestHeaderFields.add(Map.entry(header.getName(), header.getValue()));
    }
    HttpEntity entity = request.getEntity();
    body = entity == null ? null : new RequestBody(entity);
    if (body != null) {
      request.setEntity(body);
    }
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String rawPath() {
    return rawPath;
  }

  @Override
  public String rawQuery() {
    return rawQuery;
  }

  @Override
  public String requestHeader(String name) {
    Header header = request.getFirstHeader(name);
    return header == null ? null : header.getValue();
  }

  @Override
  public List<String> requestHeaderValues(String name) {
    List<String> values = new ArrayList<>();
    for (Iterator<Header> it = request.headerIterator(name); it.hasNext(); ) {
      values.add(it.next().getValue());
    }
    return values;
  }

  @Override
  public List<Map.Entry<String, String>> requestHeaderFields() {
    return requestHeaderFields;
  }

  @Override
  public InputStream requestBody() {
    return body == null ? InputStream.nullInputStream() : body.stream;
  }

  @Override
  public void setResponseHeader(String name, String value) {
    response.setHeader(name, value);
  }

  @Override
  public void addResponseHeader(String name, String value) {
    response.addHeader(name, value);
  }

  @Override
  public void respond(int status, long length, BodyWriter writer) throws IOException {
    if (responded) {
      throw new IllegalStateException("already answered");
    }
    responded = true;
    response.setCode(status);
    boolean head = "HEAD".equals(request.getMethod());
    boolean bodyAllowed = !head && status >= 200 && status != 204 && status != 304;
    if (length == NO_BODY) {
      if (bodyAllowed) {
        response.setHeader("Content-Length", "0");
      }
    } else if (length > 0) {
      response.setHeader("Content-Length", Long.toString(length));
    } else if (request.getVersion() == null
        || request.getVersion().greaterEquals(HttpVersion.HTTP_1_1)) {
      response.setHeader("Transfer-Encoding", "chunked");
    } // else HTTP/1.0, which has no chunks: the body ends with the connection
    if (length != NO_BODY && bodyAllowed) {
      response.setEntity(new WrittenBody(length > 0 ? length : -1, writer, abort));
    }
    if (body != null && !body.readToEnd()) {
      // the rest of an unread body is not read after the answer, however long: the connection
      // ends with this answer instead
      response.setHeader("Connection", "close");
      body.abandon();
    }
    try {
      trigger.submitResponse(response);
    } catch (HttpException e) {
      throw new IOException("cannot answer " + method() + " " + rawPath + ": " + e.getMessage(), e);
    }
  }

  /** Whether {@link #respond} was called. */
  boolean responded() {
    return responded;
  }

  /**
   * An answer's body, written by the handler's callback when the library sends the entity. A
   * callback that fails drops the connection before the library would end the body (with the final
   * chunk, as if the answer were whole).
   */
  private static final class WrittenBody extends AbstractHttpEntity {
    private final long length;
    private final BodyWriter writer;
    private final Runnable abort;

    WrittenBody(long length, BodyWriter writer, Runnable abort) {
      super((String) null, null, length < 0);
      this.length = length;
      this.writer = requireNonNull(writer, "writer is null");
      this.abort = abort;
    }

    @Override
    public long getContentLength() {
      return length;
    }

    @Override
    public InputStream getContent() {
      throw new UnsupportedOperationException("written, not read");
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
      try {
        writer.writeTo(out);
      } catch (IOException | RuntimeException e) {
        abort.run();
        throw e;
      }
    }

    @Override
    public boolean isStreaming() {
      return false;
    }

    @Override
    public void close() {}
  }

  /**
   * The request's body, noting whether it was read to its end; after {@link #abandon} the library's
   * read of the rest, after the answer, reads nothing (the connection then closes).
   */
  private static final class RequestBody extends HttpEntityWrapper {
    private final long declared;
    private final InputStream stream;
    private long read;
    private boolean ended;
    private boolean abandoned;

    RequestBody(HttpEntity entity) throws IOException {
      super(entity);
      declared = entity.getContentLength();
      stream = new Counting(entity.getContent());
    }

    boolean readToEnd() {
      return ended || (declared >= 0 && read >= declared) || declared == 0;
    }

    void abandon() {
      abandoned = true;
    }

    @Override
    public boolean isStreaming() {
      return !abandoned && super.isStreaming();
    }

    @Override
    public InputStream getContent() {
      return stream;
    }

    /** Counts what the handler reads. */
    private final class Counting extends InputStream {
      private final InputStream in;

      Counting(InputStream in) {
        this.in = in;
      }

      @Override
      public int read() throws IOException {
        int b = in.read();
        if (b < 0) {
          ended = true;
        } else {
          read++;
        }
        return b;
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = in.read(buffer, offset, length);
        if (n < 0) {
          ended = true;
        } else {
          read += n;
        }
        return n;
      }

      @Override
      public int available() throws IOException {
        return in.available();
      }

      @Override
      public void close() throws IOException {
        // the library closes (drains) the body after the answer, unless it was abandoned
      }
    }
  }
}
