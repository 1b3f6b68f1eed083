package io.tinyllm.ollama.sim;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single HTTP handler: routes by exact path and method as Ollama's Gin router does (a path
 * served with or without a trailing slash: a redirect, see {@link TrailingSlash}; then Ollama's
 * CORS and host checks, see {@link OriginPolicy}; unknown path: 404 {@code 404 page not found};
 * known path, other method: 405 {@code 405 method not allowed}), counts the request, applies the
 * request's faults, and turns handler errors into Ollama's {@code {"error": ...}} answers.
 */
final class SimulatorHandler implements HttpHandler {
  private static final Logger log = LoggerFactory.getLogger(SimulatorHandler.class);

  private final SimulatorContext ctx;
  private final CompletionHandler completions;
  private final EmbedHandler embeddings;
  private final PullHandler pulls;
  private final ModelInfoHandler info;
  private final ModelStoreHandler store;
  private final OriginPolicy origins;
  private final OpenAiHandler openAi;

  SimulatorHandler(SimulatorContext ctx, OriginPolicy origins) {
    this.ctx = requireNonNull(ctx, "ctx is null");
    this.origins = requireNonNull(origins, "origins is null");
    this.completions = new CompletionHandler(ctx);
    this.embeddings = new EmbedHandler(ctx);
    this.pulls = new PullHandler(ctx);
    this.info = new ModelInfoHandler(ctx);
    this.store = new ModelStoreHandler(ctx, pulls);
    this.openAi = new OpenAiHandler(ctx, completions, embeddings, info);
  }

  @Override
  public void handle(HttpExchange received) throws IOException {
    // a /v1 request's every answer, errors included, is rewritten as Ollama's middleware does
    HttpExchange exchange = OpenAiHandler.adapt(received, ctx.mapper);
    boolean abort = false;
    try {
      // once close() began, a request still accepted (the JDK server lets go of its port only
      // after it dropped the held connections) is dropped unanswered, as by a server that ended
      ctx.pacer.checkRunning();
      route(exchange);
    } catch (AbortConnectionException e) {
      // let the JDK server close the socket mid-response instead of ending it properly
      abort = true;
      log.debug("dropping connection: {}", e.getMessage());
      throw e;
    } catch (ApiException e) {
      answerError(exchange, e.status(), e.getMessage());
    } catch (IOException e) {
      log.debug("client went away: {}", e.toString());
    } catch (RuntimeException e) {
      log.warn("simulator handler failed", e);
      answerError(exchange, 500, String.valueOf(e.getMessage()));
    } finally {
      if (!abort) {
        exchange.close();
      }
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    Optional<String> redirect = TrailingSlash.target(method, path);
    if (redirect.isPresent()) {
      ctx.stats.recordUnmatched();
      drain(exchange);
      TrailingSlash.redirect(exchange, redirect.get());
      return;
    }
    if (origins.answered(exchange)) {
      drain(exchange);
      return;
    }
    Optional<Endpoint> match = Endpoint.forPath(path);
    if (match.isEmpty()) {
      ctx.stats.recordUnmatched();
      drain(exchange);
      HttpIo.send(exchange, 404, HttpIo.GIN_PLAIN, "404 page not found".getBytes(UTF_8));
      return;
    }
    Endpoint endpoint = match.get();
    if (!endpoint.allows(method)) {
      ctx.stats.recordUnmatched();
      drain(exchange);
      exchange.getResponseHeaders().set("Allow", allowed(endpoint));
      HttpIo.send(exchange, 405, HttpIo.GIN_PLAIN, "405 method not allowed".getBytes(UTF_8));
      return;
    }
    ctx.stats.recordEndpoint(endpoint);
    // a blob upload is hashed as it arrives, never held in memory
    byte[] body =
        endpoint == Endpoint.BLOBS
            ? new byte[0]
            : HttpIo.readBody(exchange, ctx.config.maxRequestBytes());
    FaultPlan faults = ctx.faults.plan(endpoint);
    if (faults.any()) {
      ctx.stats.recordFault();
    }
    if (faults.hang() != null) {
      ctx.pacer.holdThenDrop(faults.hang());
    }
    if (faults.fails()) {
      throw new ApiException(faults.failStatus(), faults.failMessage());
    }
    switch (endpoint) {
      case ROOT -> info.root(exchange);
      case VERSION -> info.version(exchange, faults);
      case TAGS -> info.tags(exchange, faults);
      case PS -> info.ps(exchange, faults);
      case SHOW -> info.show(exchange, body, faults);
      case DELETE -> info.delete(exchange, body, faults);
      case GENERATE -> completions.generate(exchange, body, faults);
      case CHAT -> completions.chat(exchange, body, faults);
      case EMBED -> embeddings.embed(exchange, body, faults);
      case EMBEDDINGS -> embeddings.embeddings(exchange, body, faults);
      case PULL -> pulls.pull(exchange, body, faults);
      case COPY -> store.copy(exchange, body, faults);
      case CREATE -> store.create(exchange, body, faults);
      case PUSH -> store.push(exchange, body, faults);
      case BLOBS -> store.blob(exchange, path.substring(path.lastIndexOf('/') + 1), faults);
      case OPENAI_CHAT, OPENAI_COMPLETIONS, OPENAI_EMBEDDINGS, OPENAI_MODELS, OPENAI_MODEL ->
          openAi.serve(endpoint, exchange, body, faults);
    }
  }

  /**
   * The {@code Allow} header of a 405: the methods routed on the path, in the order Gin keeps its
   * method trees (the order Ollama registers its first route of each method).
   */
  private static String allowed(Endpoint endpoint) {
    List<String> methods = new ArrayList<>();
    for (String method : List.of("HEAD", "GET", "POST", "DELETE")) {
      if (endpoint.allows(method)) {
        methods.add(method);
      }
    }
    return String.join(", ", methods);
  }

  private void answerError(HttpExchange exchange, int status, String message) throws IOException {
    if (exchange.getResponseCode() != -1) {
      // the answer has begun; nothing proper can be sent any more
      log.debug("error after response started: {} {}", status, message);
      return;
    }
    try {
      HttpIo.sendError(exchange, ctx.mapper, status, message);
    } catch (IOException e) {
      log.debug("could not send error: {}", e.toString());
    }
  }

  private static void drain(HttpExchange exchange) throws IOException {
    // read (and discard) what the client sent, bounded, so the connection can be reused;
    // InputStream.skip blocks on the JDK server's empty request bodies, read does not
    InputStream in = exchange.getRequestBody();
    byte[] buffer = new byte[8192];
    int total = 0;
    for (int read = in.read(buffer); read != -1 && total < (1 << 20); read = in.read(buffer)) {
      total += read;
    }
  }
}
