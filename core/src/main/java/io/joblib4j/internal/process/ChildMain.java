package io.joblib4j.internal.process;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The main class of a {@code JvmProcess} child. Started as
 * {@code java ... io.joblib4j.internal.process.ChildMain <parent-pid> <name>}; reads the serialized {@link Runnable}
 * (the process object) from its stdin, runs it in the main thread, and exits as Python's {@code multiprocessing}
 * children do: 0 when {@code run()} returns, 1 when it throws (the trace on stderr), the value of
 * {@code System.exit(n)}. After the target has been read, a daemon thread watches the parent's pid and halts the child
 * soon after the parent is gone, however it died, so a child never outlives its parent. Stdin stays open as a pipe
 * from the parent that nothing reads.
 */
public final class ChildMain {
    /** Exit code when the target cannot be read or deserialized (as for an exception in {@code run()}). */
    static final int EXIT_FAILED = 1;

    private ChildMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("joblib4j child: expected the arguments <parent-pid> <name>, got "
                    + java.util.Arrays.toString(args));
            System.exit(2);
        }
        String name = args[1];
        Runnable target;
        InputStream stdin = System.in;
        try {
            DataInputStream in = new DataInputStream(stdin);
            int n = in.readInt();
            byte[] bytes = new byte[n];
            in.readFully(bytes);
            watchParent(stdin, args[0]);
            target = (Runnable) Codec.decode(bytes, null);
        } catch (IOException | ClassNotFoundException | RuntimeException | LinkageError e) {
            System.err.println("Process " + name + " (pid "
                    + ProcessHandle.current().pid() + "): cannot read its target from the parent:");
            e.printStackTrace();
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_FAILED);
            return;
        }
        int code = 0;
        try {
            target.run();
        } catch (Throwable t) {
            System.err.println(
                    "Process " + name + " (pid " + ProcessHandle.current().pid() + "):");
            t.printStackTrace();
            code = 1;
        }
        System.out.flush();
        System.err.flush();
        if (code == 0 && onlyDaemonsLeft()) {
            // Returning ends the JVM as System.exit(0) would (the shutdown hooks run, the exit code is 0) without
            // Runtime.exit's lookup of the System.Logger "java.lang.Runtime": the first logger lookup of a JVM scans
            // every jar of the class path for a LoggerFinder, 50 ms and more with a few dozen jars.
            return;
        }
        System.exit(code);
    }

    /** True when no thread but this one would keep the JVM running after main returns. */
    private static boolean onlyDaemonsLeft() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 8];
        int n = root.enumerate(threads, true);
        if (n == threads.length) {
            return false; // more threads than counted: do not guess
        }
        Thread self = Thread.currentThread();
        for (int i = 0; i < n; i++) {
            if (threads[i] != self && !threads[i].isDaemon() && threads[i].isAlive()) {
                return false;
            }
        }
        return true;
    }

    /** How often the child checks that its parent is alive. */
    private static final long WATCH_MILLIS = 100;

    /**
     * Halts within {@value #WATCH_MILLIS} ms once the parent is gone, however it died. The parent's pid is polled
     * from a sleeping thread rather than waiting for the end of file of stdin in a blocking read: at exit, the JVM
     * waits up to 300 ms for threads that are inside native code (such as a read of a pipe) to return, which made
     * every child's exit 300 ms late. (A thread subclass, not a lambda: the first lambda of a JVM bootstraps the
     * lambda machinery, which a target that is no lambda never needs.) {@code Process.destroy()} in the parent
     * stops the child with its signal; the child's exit code is then -15. (When the parent's pid cannot be seen, the
     * end of file of stdin, a pipe from the parent, is waited for instead.)
     */
    private static void watchParent(InputStream stdin, String parentPid) {
        Thread t = new ParentWatch(stdin, parentPid);
        t.setDaemon(true);
        t.start();
    }

    private static final class ParentWatch extends Thread {
        private final InputStream stdin;
        private final String parentPid;

        ParentWatch(InputStream stdin, String parentPid) {
            super("joblib4j-parent-watch-" + parentPid);
            this.stdin = stdin;
            this.parentPid = parentPid;
        }

        @Override
        public void run() {
            ProcessHandle parent = ProcessHandle.of(Long.parseLong(parentPid)).orElse(null);
            if (parent == null) {
                // the parent's pid cannot be seen from here: its end of the stdin pipe closing says it is gone
                byte[] buf = new byte[64];
                try {
                    while (stdin.read(buf) >= 0) {
                        // the parent writes nothing more; read until end of file
                    }
                } catch (IOException e) {
                    // closed: same as end of file
                }
            }
            try {
                while (parent != null && parent.isAlive()) {
                    Thread.sleep(WATCH_MILLIS);
                }
            } catch (InterruptedException e) {
                // nobody interrupts this thread; leave as if the parent were gone
            }
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_FAILED);
        }
    }
}
