package io.tinyllm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinyllm.ollama.sim.Endpoint;
import io.tinyllm.ollama.sim.OllamaSimulator;
import io.tinyllm.ollama.sim.SimulatorConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Use it as a library" code compiles against the artifacts and runs: its Java block,
 * wrapped in a {@code main}, talks to the Ollama simulator in place of the Ollama address it names.
 */
class ReadmeLibrarySnippetTest {
  private static final String SECTION = "## Use it as a library";
  private static final Pattern JAVA_BLOCK =
      Pattern.compile("^```java\\n(.*?)^```", Pattern.MULTILINE | Pattern.DOTALL);
  private static final String OLLAMA = "http://127.0.0.1:11434";
  private static final String HTTP_EXPORTER = "\"metrics.exporters\", \"http\"";

  /** What a reader's file would import; the README leaves imports out. */
  private static final List<String> IMPORTS =
      List.of(
          "io.tinyllm.api.config.Settings",
          "io.tinyllm.api.llm.GenerateRequest",
          "io.tinyllm.api.llm.LlmClient",
          "io.tinyllm.api.llm.LlmResponse",
          "io.tinyllm.metrics.TinyLlm",
          "java.util.Map");

  @Test
  void theLibrarySnippetCompilesAndAnswers(@TempDir Path dir) throws Exception {
    String snippet = librarySnippet();
    try (OllamaSimulator simulator =
        OllamaSimulator.start(SimulatorConfig.builder().timeScale(0.01).build())) {
      // the simulator stands in for Ollama; the exporter takes a free port instead of 9478
      String runnable =
          replaceOnce(snippet, OLLAMA, simulator.baseUri().toString().replaceAll("/$", ""));
      runnable =
          replaceOnce(runnable, HTTP_EXPORTER, HTTP_EXPORTER + ", \"metrics.http.port\", \"0\"");

      compile(dir, runnable);
      String printed = runMain(dir);

      assertThat(simulator.stats().requests(Endpoint.GENERATE)).isEqualTo(1);
      assertThat(printed).as("the answer the snippet prints").isNotBlank();
    }
  }

  /** The Java blocks of the README's library section, in order. */
  private static String librarySnippet() {
    String readme = DocsFiles.read(DocsFiles.ROOT.resolve("README.md"));
    int start = readme.indexOf(SECTION);
    assertThat(start).as("README has a section '%s'", SECTION).isNotNegative();
    int end = readme.indexOf("\n## ", start + SECTION.length());
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    List<String> blocks = new ArrayList<>();
    Matcher block = JAVA_BLOCK.matcher(section);
    while (block.find()) {
      blocks.add(block.group(1));
    }
    assertThat(blocks).as("```java blocks of '%s'", SECTION).isNotEmpty();
    return String.join("\n", blocks);
  }

  private static String replaceOnce(String text, String target, String replacement) {
    int first = text.indexOf(target);
    assertThat(first)
        .as("the README's library snippet names %s once", target)
        .isNotNegative()
        .isEqualTo(text.lastIndexOf(target));
    return text.replace(target, replacement);
  }

  private static void compile(Path dir, String snippet) throws Exception {
    StringBuilder source = new StringBuilder();
    IMPORTS.forEach(i -> source.append("import ").append(i).append(";\n"));
    source
        .append("\npublic final class ReadmeLibrarySnippet {\n")
        .append("  public static void main(String[] args) throws Exception {\n")
        .append(snippet)
        .append("  }\n}\n");
    Path file = dir.resolve("ReadmeLibrarySnippet.java");
    Files.writeString(file, source, StandardCharsets.UTF_8);

    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files =
        compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
      boolean compiled =
          compiler
              .getTask(
                  null,
                  files,
                  diagnostics,
                  List.of(
                      "-classpath",
                      System.getProperty("java.class.path"),
                      "-d",
                      dir.toString(),
                      "-proc:none",
                      "-Xlint:all,-path",
                      "-Werror"),
                  null,
                  files.getJavaFileObjects(file))
              .call();
      assertThat(compiled)
          .as(
              "the README's library snippet compiles:\n%s\n%s",
              diagnostics.getDiagnostics().stream()
                  .map(ReadmeLibrarySnippetTest::describe)
                  .collect(Collectors.joining("\n")),
              source)
          .isTrue();
    }
  }

  private static String describe(Diagnostic<? extends JavaFileObject> d) {
    return d.getKind() + " line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT);
  }

  /** Runs the compiled program's {@code main} and returns what it printed. */
  private static String runMain(Path dir) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {dir.toUri().toURL()}, ReadmeLibrarySnippetTest.class.getClassLoader())) {
      Method main = loader.loadClass("ReadmeLibrarySnippet").getMethod("main", String[].class);
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      main.invoke(null, (Object) new String[0]);
    } finally {
      System.setOut(original);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
