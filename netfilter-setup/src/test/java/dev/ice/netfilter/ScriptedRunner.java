package dev.ice.netfilter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A runner that touches nothing: it records each command and answers with what the test scripted per program. */
final class ScriptedRunner implements CommandRunner {

    /** One command as the runner received it. */
    record Call(List<String> command, String input) {

        String line() {
            return String.join(" ", command);
        }
    }

    private final Map<String, CommandResult> answers = new HashMap<>();
    private final List<Call> calls = new ArrayList<>();

    /** Makes a program answer this way from now on; unscripted programs succeed and print nothing. */
    ScriptedRunner answer(String program, int exitCode, String stdout, String stderr) {
        answers.put(program, new CommandResult(exitCode, stdout, stderr));
        return this;
    }

    /** Makes a program unknown, as a shell reports it. */
    ScriptedRunner missing(String program) {
        return answer(program, CommandResult.NOT_FOUND, "", program + ": command not found");
    }

    @Override
    public CommandResult run(List<String> command, String input) {
        calls.add(new Call(List.copyOf(command), input));
        return answers.getOrDefault(command.getFirst(), new CommandResult(0, "", ""));
    }

    List<Call> calls() {
        return calls;
    }

    List<String> lines() {
        return calls.stream().map(Call::line).toList();
    }
}
