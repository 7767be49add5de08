package dev.ice.netfilter.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ice.netfilter.CommandResult;
import dev.ice.netfilter.CommandRunner;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessCommandRunnerTest {

    private final CommandRunner runner = new ProcessCommandRunner(Duration.ofSeconds(10));

    @Test
    void inputIsFedToTheCommandAndBothOutputsAreKept() {
        CommandResult result = runner.run(List.of("sh", "-c", "cat; echo oops >&2; exit 3"), "*nat\nCOMMIT\n");

        assertEquals(new CommandResult(3, "*nat\nCOMMIT\n", "oops\n"), result);
    }

    @Test
    void aMissingProgramIsReportedAsAShellWould() {
        CommandResult result = runner.run(List.of("ice-no-such-program"), "");

        assertEquals(CommandResult.NOT_FOUND, result.exitCode());
        assertTrue(result.stderr().startsWith("ice-no-such-program: command not found"), result.stderr());
    }

    @Test
    void aCommandRunningPastTheLimitIsKilled() {
        long start = System.nanoTime();

        CommandResult result = new ProcessCommandRunner(Duration.ofMillis(300)).run(List.of("sleep", "20"), "");

        assertEquals(CommandResult.TIMED_OUT, result.exitCode());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 5);
    }

    @Test
    void aPrefixGoesBeforeEveryCommand() {
        CommandResult result = runner.prefixedWith("env", "ICE_TEST=1").run(List.of("printenv", "ICE_TEST"), "");

        assertEquals("1\n", result.stdout());
    }
}
