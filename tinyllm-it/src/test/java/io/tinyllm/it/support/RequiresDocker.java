package io.tinyllm.it.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a class of container tests. Before any container starts, checks that Docker answers and
 * that the locally built image of every static container field exists; when not, the class is
 * skipped with the reason printed, or fails under {@code -Dtinyllm.require-external=true} (CI).
 * Container fields must be static, and this annotation must come before {@code @Testcontainers},
 * which starts them.
 *
 * <pre>{@code
 * @RequiresDocker
 * @Testcontainers
 * class PushgatewayIT {
 *   @Container static final PushgatewayContainer pushgateway = new PushgatewayContainer();
 * }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(DockerRequirement.class)
public @interface RequiresDocker {}
