package io.tinyllm.benchmarks;

import io.tinyllm.api.config.Settings;
import io.tinyllm.metrics.TinyLlm;
import io.tinyllm.proxy.ProxyServer;
import java.io.IOException;
import java.util.Map;

/**
 * {@code tinyllm proxy} as the CLI runs it (the plug-ins on the class path, found by ServiceLoader,
 * one registry, the proxy's {@code /metrics}), in a JVM of its own so the harness reads its CPU.
 *
 * <p>Child process: {@code ProxyProcess <upstream URI>}; prints {@code proxy listening on <URI>}
 * and ends when its standard input closes.
 */
public final class ProxyProcess {
  static final String READY = "proxy listening on ";

  private ProxyProcess() {}

  public static void main(String[] args) throws IOException {
    try (TinyLlm app =
        TinyLlm.start(Settings.of(Map.of("ollama.host", args[0], "proxy.port", "0")))) {
      ProxyServer proxy = app.get(ProxyServer.class);
      proxy.start();
      System.out.println(READY + proxy.uri());
      System.out.flush();
      ChildProcess.awaitEndOfInput();
    }
  }
}
