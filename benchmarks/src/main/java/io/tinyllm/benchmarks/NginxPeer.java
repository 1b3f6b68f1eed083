package io.tinyllm.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * nginx (Debian's {@code nginx-light} or {@code nginx}) as a plain reverse proxy in front of
 * Ollama, the way Ollama's FAQ and most guides front it: {@code proxy_pass} with the {@code Host}
 * header Ollama's host check accepts, plus what streaming needs ({@code proxy_buffering off}) and
 * HTTP/1.1 keep-alive to the upstream. Debian's defaults otherwise ({@code worker_processes auto},
 * the access log on). No metrics: it is the reference for what a C reverse proxy adds.
 */
final class NginxPeer implements PeerProxy {
  private final Optional<Path> binary;

  /** {@code path} is the nginx binary, or null to look for it on the machine. */
  NginxPeer(String path) {
    this.binary = path == null ? PeerPrograms.find("nginx") : Optional.of(Path.of(path));
  }

  @Override
  public String name() {
    return "nginx";
  }

  @Override
  public Optional<String> missing() {
    if (binary.isEmpty()) {
      return Optional.of("no nginx on this machine (apt-get install nginx-light)");
    }
    if (!Files.isExecutable(binary.get())) {
      return Optional.of(binary.get() + " is not an executable file");
    }
    return Optional.empty();
  }

  @Override
  public String version() throws IOException {
    // nginx -v prints "nginx version: nginx/1.22.1" on stderr
    return binary.get() + ", " + PeerPrograms.run(List.of(binary.get().toString(), "-v")).output();
  }

  @Override
  public PeerProcess start(URI upstream) throws IOException {
    Path dir = PeerProcess.workDir(name());
    int port = PeerProcess.freePort();
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(conf, config(upstream, port, dir), StandardCharsets.UTF_8);
    List<String> command =
        List.of(
            binary.get().toString(),
            "-p",
            dir.toString(),
            "-c",
            conf.toString(),
            "-e",
            dir.resolve("error.log").toString());
    return PeerProcess.start(name(), command, Map.of(), dir, port);
  }

  /** The whole configuration: foreground, files in {@code dir}, one server on {@code port}. */
  static String config(URI upstream, int port, Path dir) {
    String origin = upstream.getHost() + ":" + upstream.getPort();
    return String.join(
        "\n",
        "daemon off;",
        "worker_processes auto;",
        "pid " + dir.resolve("nginx.pid") + ";",
        "error_log " + dir.resolve("error.log") + " warn;",
        "events { worker_connections 768; }",
        "http {",
        "  access_log " + dir.resolve("access.log") + ";",
        "  client_body_temp_path " + dir.resolve("client_body") + ";",
        "  proxy_temp_path " + dir.resolve("proxy") + ";",
        "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
        "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
        "  scgi_temp_path " + dir.resolve("scgi") + ";",
        "  upstream ollama {",
        "    server " + origin + ";",
        "    keepalive 32;",
        "  }",
        "  server {",
        "    listen 127.0.0.1:" + port + ";",
        // Ollama takes bodies of any size (images); nginx's default stops at 1 MiB
        "    client_max_body_size 0;",
        "    location / {",
        "      proxy_pass http://ollama;",
        // Ollama's FAQ: the Host Ollama's own host check accepts
        "      proxy_set_header Host " + origin + ";",
        "      proxy_http_version 1.1;",
        "      proxy_set_header Connection \"\";",
        "      proxy_buffering off;",
        "      proxy_read_timeout 600s;",
        "    }",
        "  }",
        "}",
        "");
  }
}
