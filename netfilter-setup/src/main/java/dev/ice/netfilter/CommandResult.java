package dev.ice.netfilter;

/**
 * How a command ended: its exit code and what it printed.
 *
 * @param exitCode 0 for success; {@link #NOT_FOUND} when the program could not be started, {@link #TIMED_OUT}
 *     when it was killed for running too long (the shell's and {@code timeout(1)}'s conventions)
 * @param stdout everything the command wrote to standard output
 * @param stderr everything the command wrote to standard error, or why it could not run
 */
public record CommandResult(int exitCode, String stdout, String stderr) {

    /** The exit code of a program that could not be started, as a shell reports "command not found". */
    public static final int NOT_FOUND = 127;

    /** The exit code of a program killed because it ran past its time limit, or because the caller was interrupted. */
    public static final int TIMED_OUT = 124;

    /**
     * @param exitCode the exit code
     * @param stdout standard output, null taken as empty
     * @param stderr standard error, null taken as empty
     */
    public CommandResult {
        stdout = stdout == null ? "" : stdout;
        stderr = stderr == null ? "" : stderr;
    }

    /**
     * @return whether the command exited with 0
     */
    public boolean succeeded() {
        return exitCode == 0;
    }
}
