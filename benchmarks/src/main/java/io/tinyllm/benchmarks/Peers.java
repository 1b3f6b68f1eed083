package io.tinyllm.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The peer proxies a harness run measures besides {@code tinyllm proxy}, chosen with {@code
 * peers=NAME[=PATH],...}: {@code nginx} (found on the machine, or the binary at PATH), {@code
 * ollama-exporter=PATH} (Python) and {@code ollama-metrics=PATH} (Go). A named peer that cannot run
 * here is skipped with the reason printed, or fails the run under {@code
 * -Dtinyllm.require-external=true}; one that is there but does not start fails the run.
 *
 * <pre>{@code
 * peers=nginx,ollama-exporter=/src/ollama-exporter/ollama_exporter.py
 * }</pre>
 */
final class Peers implements AutoCloseable {
  static final String FLAG = "peers";
  static final String REQUIRE_PROPERTY = "tinyllm.require-external";

  private static final Map<String, Function<String, PeerProxy>> KNOWN = new LinkedHashMap<>();

  static {
    KNOWN.put("nginx", NginxPeer::new);
    KNOWN.put("ollama-exporter", OllamaExporterPeer::new);
    KNOWN.put("ollama-metrics", OllamaMetricsPeer::new);
  }

  private final List<PeerProcess> running;

  private Peers(List<PeerProcess> running) {
    this.running = running;
  }

  /** Whether {@code arg} is this class's flag, which the harness leaves to {@link #start}. */
  static boolean isFlag(String arg) {
    return arg.startsWith(FLAG + "=");
  }

  /** Starts every peer of {@code chosen} that can run here, each in front of {@code upstream}. */
  static Peers start(List<PeerProxy> chosen, URI upstream) throws IOException {
    List<PeerProcess> running = new ArrayList<>();
    Peers peers = new Peers(running);
    try {
      for (PeerProxy peer : chosen) {
        Optional<String> missing = peer.missing();
        if (missing.isPresent()) {
          String reason = "peer " + peer.name() + " skipped: " + missing.get();
          if (Boolean.getBoolean(REQUIRE_PROPERTY)) {
            throw new IllegalStateException(reason + ", and " + REQUIRE_PROPERTY + "=true");
          }
          System.out.println("# " + reason);
          continue;
        }
        System.out.println("# peer " + peer.name() + ": " + peer.version());
        running.add(peer.start(upstream));
      }
    } catch (IOException | RuntimeException e) {
      peers.close();
      throw e;
    }
    return peers;
  }

  /** The peers named by the flag, in its order; none without it. */
  static List<PeerProxy> parse(String[] args) {
    List<PeerProxy> chosen = new ArrayList<>();
    for (String arg : args) {
      if (!isFlag(arg)) {
        continue;
      }
      for (String entry : arg.substring(FLAG.length() + 1).split(",")) {
        if (entry.isBlank()) {
          continue;
        }
        String[] nameAndPath = entry.split("=", 2);
        Function<String, PeerProxy> peer = KNOWN.get(nameAndPath[0].strip());
        if (peer == null) {
          throw new IllegalArgumentException(
              "unknown peer '" + nameAndPath[0] + "' in " + arg + "; known: " + KNOWN.keySet());
        }
        chosen.add(peer.apply(nameAndPath.length == 2 ? nameAndPath[1].strip() : null));
      }
    }
    return chosen;
  }

  /** Where each running peer listens, by its name, in the order they were named. */
  Map<String, URI> uris() {
    Map<String, URI> uris = new LinkedHashMap<>();
    running.forEach(p -> uris.put(p.name(), p.uri()));
    return uris;
  }

  /** Each running peer's CPU clock, by its name. */
  Map<String, CpuClock> clocks() {
    Map<String, CpuClock> clocks = new LinkedHashMap<>();
    running.forEach(p -> clocks.put(p.name(), p));
    return clocks;
  }

  @Override
  public void close() {
    running.forEach(PeerProcess::close);
  }
}
