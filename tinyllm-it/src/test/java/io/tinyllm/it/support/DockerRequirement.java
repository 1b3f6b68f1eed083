package io.tinyllm.it.support;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Image;
import io.tinyllm.it.containers.DeclaresImage;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * The policy of {@link RequiresDocker}: skip with a printed reason where Docker or a locally built
 * image is missing, fail instead when {@value #REQUIRE_PROPERTY} is {@code true}, so CI can never
 * pass by skipping.
 *
 * <p>Only images of the {@value #LOCAL_REPOSITORY_PREFIX} repositories are checked: those come from
 * {@code build-images.sh} and no registry has them, so Testcontainers would retry a pull that
 * cannot succeed. Any other image (an official one chosen by system property) is pulled as usual.
 */
public final class DockerRequirement implements ExecutionCondition, BeforeAllCallback {
  public static final String REQUIRE_PROPERTY = "tinyllm.require-external";
  static final String LOCAL_REPOSITORY_PREFIX = "tinyllm/";
  private static final String BUILD_HINT =
      "build it with tinyllm-it/images/build-images.sh (./mvnw verify runs it)";
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(DockerRequirement.class);

  /** Skips the class (reported as skipped, reason printed) unless CI requires it. */
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    Optional<String> problem = problem(context);
    if (problem.isEmpty() || Boolean.getBoolean(REQUIRE_PROPERTY)) {
      return ConditionEvaluationResult.enabled("Docker and the images are there, or required");
    }
    System.err.println("SKIPPED: " + problem.get());
    return ConditionEvaluationResult.disabled(problem.get());
  }

  /** Reached with a problem only when CI requires Docker: fails the class. */
  @Override
  public void beforeAll(ExtensionContext context) {
    problem(context)
        .ifPresent(p -> Assertions.fail(p + " (and " + REQUIRE_PROPERTY + "=true requires it)"));
  }

  /** Why the class cannot run, found once per class. */
  private static Optional<String> problem(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    String problem =
        context
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(
                testClass,
                c -> problem(testClass).map(p -> testClass.getSimpleName() + ": " + p).orElse(""),
                String.class);
    return problem.isEmpty() ? Optional.empty() : Optional.of(problem);
  }

  private static Optional<String> problem(Class<?> testClass) {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      return Optional.of(
          "Docker is not available (is dockerd running? DOCKER_API_VERSION="
              + Objects.requireNonNullElse(System.getenv("DOCKER_API_VERSION"), "unset")
              + ")");
    }
    DockerClient docker = DockerClientFactory.lazyClient();
    List<String> missing = new ArrayList<>();
    for (String image : localImages(testClass)) {
      try {
        docker.inspectImageCmd(image).exec();
      } catch (NotFoundException e) {
        missing.add("image " + image + " not found" + describeOthers(docker, image));
      }
    }
    if (missing.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(String.join("; ", missing) + "; " + BUILD_HINT);
  }

  /** The locally built images of the class's static container fields. */
  private static List<String> localImages(Class<?> testClass) {
    List<String> images = new ArrayList<>();
    for (Field field : testClass.getDeclaredFields()) {
      if (!GenericContainer.class.isAssignableFrom(field.getType())) {
        continue;
      }
      if (!Modifier.isStatic(field.getModifiers())) {
        // an instance field is created after this check, so its image would go unchecked
        throw new IllegalStateException(
            "Container field '"
                + field.getName()
                + "' of "
                + testClass.getSimpleName()
                + " must be static for @RequiresDocker to check its image before it starts");
      }
      Object container;
      try {
        field.setAccessible(true);
        container = field.get(null);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("Cannot read container field '" + field.getName() + "'", e);
      }
      if (container instanceof DeclaresImage declared) {
        String image = declared.image().asCanonicalNameString();
        if (image.startsWith(LOCAL_REPOSITORY_PREFIX)) {
          images.add(image);
        }
      }
    }
    return images;
  }

  /** " (tags present: 1.5.0, 1.6.0)" when other tags of the repository exist, else "". */
  private static String describeOthers(DockerClient docker, String image) {
    String repository = image.substring(0, image.lastIndexOf(':'));
    TreeSet<String> tags = new TreeSet<>();
    for (Image present : docker.listImagesCmd().withReferenceFilter(repository).exec()) {
      if (present.getRepoTags() != null) {
        for (String tag : present.getRepoTags()) {
          if (tag.startsWith(repository + ":")) {
            tags.add(tag.substring(repository.length() + 1));
          }
        }
      }
    }
    return tags.isEmpty() ? "" : " (tags present: " + String.join(", ", tags) + ")";
  }
}
