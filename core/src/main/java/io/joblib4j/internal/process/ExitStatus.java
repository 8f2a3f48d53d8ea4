package io.joblib4j.internal.process;

/** How a worker process ended, in loky's words: {@code EXIT(1)}, {@code SIGKILL(-9)}. */
public final class ExitStatus {
    private static final String[] SIGNALS = {
        null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
        "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM"
    };

    private ExitStatus() {}

    /**
     * Describes an exit value as {@link Process#exitValue()} reports it on Unix, where a process killed by signal
     * {@code n} has the value {@code 128 + n}.
     */
    public static String describe(int exitValue) {
        if (exitValue > 128 && exitValue < 128 + 32) {
            int signal = exitValue - 128;
            String name = signal < SIGNALS.length ? SIGNALS[signal] : "SIG" + signal;
            return name + "(-" + signal + ")";
        }
        return "EXIT(" + exitValue + ")";
    }
}
