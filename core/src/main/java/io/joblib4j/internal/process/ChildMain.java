package io.joblib4j.internal.process;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The main class of a {@code JvmProcess} child. Started as
 * {@code java ... io.joblib4j.internal.process.ChildMain <parent-pid> <name>}; reads the serialized {@link Runnable}
 * (the process object) from its stdin, runs it in the main thread, and exits as Python's {@code multiprocessing}
 * children do: 0 when {@code run()} returns, 1 when it throws (the trace on stderr), the value of
 * {@code System.exit(n)}. After the target has been read, stdin stays open as a pipe from the parent: its end of file
 * (the parent is gone, however it died) halts the child at once, so a child never outlives its parent. (When the
 * parent is still alive at that end of file, it closed the pipe itself while stopping this child: the child then
 * leaves its exit to the signal and only watches the parent's pid.)
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
        System.exit(code);
    }

    /** Halts when stdin, a pipe from the parent, reaches end of file: the parent has exited. */
    private static void watchParent(InputStream stdin, String parentPid) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[64];
                    try {
                        while (stdin.read(buf) >= 0) {
                            // the parent writes nothing more; read until end of file
                        }
                    } catch (IOException e) {
                        // closed: same as end of file
                    }
                    // Process.destroy() in the parent closes this pipe too, just after its SIGTERM: while the parent
                    // lives, leave the exit to the signal (its code is then -15), and watch the parent's pid instead.
                    long pid = Long.parseLong(parentPid);
                    ProcessHandle parent = ProcessHandle.of(pid).orElse(null);
                    if (parent != null && parent.isAlive()) {
                        parent.onExit().join();
                    }
                    System.err.flush();
                    Runtime.getRuntime().halt(EXIT_FAILED);
                },
                "joblib4j-parent-watch-" + parentPid);
        t.setDaemon(true);
        t.start();
    }
}
