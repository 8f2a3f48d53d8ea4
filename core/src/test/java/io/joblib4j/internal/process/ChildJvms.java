package io.joblib4j.internal.process;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a JVM that a test starts to run one of its own classes: this JVM's {@code java}, then the
 * options that give the child what this JVM sees (its class path, or its module path with the test classes patched
 * into the module, as a test runner on the module path sets it up), then the main class. Built by
 * {@link JvmLauncher}, the code that starts workers, so the tests' children start the way workers do.
 */
public final class ChildJvms {
    private ChildJvms() {}

    /** The launcher's options, {@code jvmOptions}, the class or module path and {@code main}, ready for arguments. */
    public static List<String> command(Class<?> main, String... jvmOptions) {
        WorkerClassPath cp = WorkerClassPath.resolve(null, ChildJvms.class.getClassLoader());
        return new ArrayList<>(JvmLauncher.command(cp, List.of(jvmOptions), "joblib4j.test.child", main, List.of()));
    }

    /**
     * Every jar and folder this JVM loads classes from, as one class path (for {@code javac -cp}, or a child that
     * runs on the class path): the folders patched into modules (the test classes, on the module path), the module
     * path and the class path.
     */
    public static String flatClassPath() {
        List<String> entries = new ArrayList<>();
        List<String> options = WorkerClassPath.moduleOptions(
                ManagementFactory.getRuntimeMXBean().getInputArguments());
        for (int i = 0; i + 1 < options.size(); i += 2) {
            if (options.get(i).equals("--patch-module")) {
                String patch = options.get(i + 1);
                entries.add(patch.substring(patch.indexOf('=') + 1));
            }
        }
        String modules = System.getProperty("jdk.module.path");
        if (modules != null && !modules.isEmpty()) {
            entries.add(modules);
        }
        entries.add(System.getProperty("java.class.path", ""));
        return String.join(File.pathSeparator, entries);
    }
}
