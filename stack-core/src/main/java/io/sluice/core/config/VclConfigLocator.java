package io.sluice.core.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Finds an application's {@code vcl.conf}, as VCL does, with a system property first for JVM users:
 * <ol>
 *   <li>the system property {@value #PROPERTY}, if set;</li>
 *   <li>else the environment variable {@value #ENVIRONMENT_VARIABLE}, if set (VCL's variable);</li>
 *   <li>else {@value #DEFAULT_PATH} if it exists (VCL's default);</li>
 *   <li>else none: the defaults apply.</li>
 * </ol>
 * A file named by the property or the variable must exist: a typo there is an error naming where the name came
 * from, never a silent fall back to defaults. An empty value counts as not set.
 */
public final class VclConfigLocator {

    /** The system property naming the file. */
    public static final String PROPERTY = "sluice.vcl.config";

    /** The environment variable naming the file, as in VCL. */
    public static final String ENVIRONMENT_VARIABLE = "VCL_CONFIG";

    /** Where VCL looks when nothing names a file. */
    public static final String DEFAULT_PATH = "/etc/vpp/vcl.conf";

    private VclConfigLocator() {
    }

    /**
     * Locates the file from this JVM's system properties and environment.
     *
     * @return the file, or empty when none is named and the default does not exist
     * @throws ConfigException if a named file does not exist or is not a regular file
     */
    public static Optional<Path> locate() {
        return locate(System::getProperty, System::getenv, Path.of(DEFAULT_PATH));
    }

    /**
     * Locates the file with the given lookups (for tests and for embedding).
     *
     * @param properties system property lookup
     * @param environment environment variable lookup
     * @param defaultPath the file used when neither names one, if it exists
     * @return the file, or empty
     * @throws ConfigException if a named file does not exist or is not a regular file
     */
    public static Optional<Path> locate(UnaryOperator<String> properties, UnaryOperator<String> environment,
            Path defaultPath) {
        String named = properties.apply(PROPERTY);
        String origin = "system property " + PROPERTY;
        if (named == null || named.isEmpty()) {
            named = environment.apply(ENVIRONMENT_VARIABLE);
            origin = "environment variable " + ENVIRONMENT_VARIABLE;
        }
        if (named == null || named.isEmpty()) {
            return Files.isRegularFile(defaultPath) ? Optional.of(defaultPath) : Optional.empty();
        }
        Path path;
        try {
            path = Path.of(named);
        } catch (InvalidPathException e) {
            throw new ConfigException(named, 0, "not a valid path (named by " + origin + "): " + e.getReason());
        }
        if (!Files.exists(path)) {
            throw new ConfigException(named, 0, "no such file (named by " + origin + ")");
        }
        if (!Files.isRegularFile(path)) {
            throw new ConfigException(named, 0, "not a regular file (named by " + origin + ")");
        }
        return Optional.of(path);
    }
}
