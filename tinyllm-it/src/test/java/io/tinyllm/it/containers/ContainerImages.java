package io.tinyllm.it.containers;

import org.testcontainers.utility.DockerImageName;

/**
 * The image a container class runs: its pinned default, or the one named by a system property, so
 * the tests built for this machine's locally built images run unchanged against the official ones.
 *
 * <pre>{@code
 * ./mvnw verify -Dtinyllm.it.image.prometheus=prom/prometheus:v3.5.0
 * }</pre>
 */
final class ContainerImages {
  private ContainerImages() {}

  /**
   * The image named by {@code property}, else {@code defaultImage}. A name given in the property
   * was chosen on purpose, so it is accepted as a substitute for the default.
   */
  static DockerImageName resolve(String property, DockerImageName defaultImage) {
    String chosen = System.getProperty(property, "").trim();
    if (chosen.isEmpty()) {
      return defaultImage;
    }
    return DockerImageName.parse(chosen).asCompatibleSubstituteFor(defaultImage);
  }
}
