package io.joblib4j.persist;

import io.joblib4j.array.PersistException;
import java.io.Serial;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * {@code load} met a class that it is not allowed to instantiate: neither on the default allowlist nor allowed by
 * the caller's {@link LoadOptions}. Nothing of that class was created.
 */
public final class DisallowedClassException extends PersistException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String className;

    /**
     * @param className the binary name of the refused class
     * @param file      the file being loaded, or null for a stream
     */
    public DisallowedClassException(String className, @Nullable Path file) {
        super(
                "refusing to load class " + className + ": it is not on the allowlist; if the file comes from a "
                        + "trusted source, allow it with LoadOptions.builder().allowClasses(" + simple(className)
                        + ".class) or .allowPackages(\"" + pkg(className) + "\")",
                file,
                -1,
                null);
        this.className = className;
    }

    /** The fully qualified name of the refused class. */
    public String className() {
        return className;
    }

    private static String simple(String name) {
        return name.substring(name.lastIndexOf('.') + 1).replace('$', '.');
    }

    private static String pkg(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(0, dot);
    }
}
