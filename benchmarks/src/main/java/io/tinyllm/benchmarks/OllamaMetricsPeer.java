package io.tinyllm.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Go metrics proxy for Ollama: "ollama-metrics" (github.com/NorskHelsenett/ollama-metrics, one
 * {@code main.go} on the standard library and client_golang), a sidecar that forwards every request
 * and counts prompt and generated tokens, request durations and time per token per model. Run as
 * its README and Dockerfile run it: the binary, with the upstream in {@code OLLAMA_HOST} and the
 * port in {@code PORT}. Not part of this project: the binary is named by path, {@code
 * peers=ollama-metrics=/path/to/ollama-metrics} (docs/performance.md says how it was built here
 * from Debian's Go and client_golang).
 */
final class OllamaMetricsPeer implements PeerProxy {
  private final Optional<Path> binary;

  /** {@code path} is the built binary, or null when none was named. */
  OllamaMetricsPeer(String path) {
    this.binary = Optional.ofNullable(path).map(Path::of);
  }

  @Override
  public String name() {
    return "ollama-metrics";
  }

  @Override
  public Optional<String> missing() {
    if (binary.isEmpty()) {
      return Optional.of("no binary named (peers=ollama-metrics=/path/to/ollama-metrics)");
    }
    if (!Files.isRegularFile(binary.get()) || !Files.isExecutable(binary.get())) {
      return Optional.of(binary.get() + " is not an executable file");
    }
    return Optional.empty();
  }

  @Override
  public String version() throws IOException {
    String built = "";
    Optional<Path> go = PeerPrograms.find("go");
    if (go.isPresent()) {
      // "go version FILE" names the Go release that built it
      built =
          ", "
              + PeerPrograms.run(List.of(go.get().toString(), "version", binary.get().toString()))
                  .output();
    }
    return binary.get() + " (" + PeerPrograms.digest(binary.get()) + ")" + built;
  }

  @Override
  public PeerProcess start(URI upstream) throws IOException {
    Path dir = PeerProcess.workDir(name());
    int port = PeerProcess.freePort();
    // it appends the request's path to OLLAMA_HOST and listens on ":" + PORT
    String host = upstream.toString().replaceFirst("/+$", "");
    return PeerProcess.start(
        name(),
        List.of(binary.get().toAbsolutePath().toString()),
        Map.of("OLLAMA_HOST", host, "PORT", Integer.toString(port)),
        dir,
        port);
  }
}
