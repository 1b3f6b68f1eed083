package io.tinyllm.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Python metrics proxy for Ollama: the FastAPI "Ollama Prometheus Exporter"
 * (github.com/rbx/ollama-exporter, one file, {@code ollama_exporter.py}), which forwards every
 * request and counts requests, tokens and durations per model from the answers. Run as its
 * Dockerfile runs it ({@code uvicorn ollama_exporter:app}, uvicorn's defaults) with the upstream in
 * {@code OLLAMA_HOST}, on a free loopback port instead of 8000. Its libraries come from Debian
 * ({@code python3-fastapi python3-uvicorn python3-httpx python3-prometheus-client}), so it runs on
 * Debian's own Python; the script itself is not part of this project and is named by path: {@code
 * peers=ollama-exporter=/path/to/ollama_exporter.py}.
 */
final class OllamaExporterPeer implements PeerProxy {
  private static final Path PYTHON = Path.of("/usr/bin/python3");
  private static final List<String> MODULES =
      List.of("fastapi", "uvicorn", "httpx", "prometheus_client");

  private final Optional<Path> script;

  /** {@code path} is the exporter's {@code .py} file, or null when none was named. */
  OllamaExporterPeer(String path) {
    this.script = Optional.ofNullable(path).map(Path::of);
  }

  @Override
  public String name() {
    return "ollama-exporter";
  }

  @Override
  public Optional<String> missing() {
    if (script.isEmpty()) {
      return Optional.of("no script named (peers=ollama-exporter=/path/to/ollama_exporter.py)");
    }
    if (!Files.isRegularFile(script.get()) || !script.get().toString().endsWith(".py")) {
      return Optional.of(script.get() + " is not a .py file");
    }
    if (!Files.isExecutable(PYTHON)) {
      return Optional.of("no " + PYTHON + " (apt-get install python3)");
    }
    try {
      PeerPrograms.Result imported =
          PeerPrograms.run(List.of(PYTHON.toString(), "-c", "import " + String.join(",", MODULES)));
      if (imported.exitCode() != 0) {
        return Optional.of(
            PYTHON
                + " cannot import "
                + MODULES
                + " (apt-get install python3-fastapi python3-uvicorn python3-httpx"
                + " python3-prometheus-client)");
      }
    } catch (IOException e) {
      return Optional.of(PYTHON + " did not run: " + e.getMessage());
    }
    return Optional.empty();
  }

  @Override
  public String version() throws IOException {
    // without httptools and uvloop, uvicorn serves with h11 on asyncio, as a plain pip install does
    String versions =
        PeerPrograms.run(
                List.of(
                    PYTHON.toString(),
                    "-c",
                    "import sys, importlib.metadata as m; print('python', sys.version.split()[0],"
                        + " *[d + ' ' + m.version(d) for d in"
                        + " ('fastapi', 'uvicorn', 'h11', 'httpx', 'prometheus_client')])"))
            .output();
    return script.get() + " (" + PeerPrograms.digest(script.get()) + "), " + versions;
  }

  @Override
  public PeerProcess start(URI upstream) throws IOException {
    Path dir = PeerProcess.workDir(name());
    int port = PeerProcess.freePort();
    Path file = script.get().toAbsolutePath();
    String module = file.getFileName().toString().replaceFirst("\\.py$", "");
    List<String> command =
        List.of(
            PYTHON.toString(),
            "-m",
            "uvicorn",
            "--app-dir",
            file.getParent().toString(),
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            module + ":app");
    // the script appends the request's path to OLLAMA_HOST
    String host = upstream.toString().replaceFirst("/+$", "");
    return PeerProcess.start(name(), command, Map.of("OLLAMA_HOST", host), dir, port);
  }
}
