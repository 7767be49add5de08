package dev.ice.tunnel;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;

/**
 * A Logback appender for the test suite that reads every log event, with the messages of its exceptions, for key
 * material (see {@link KeyMaterial}), and keeps what it finds for {@link KeyMaterialExtension} to fail the test
 * that logged it. Attached to the root logger in logback-test.xml.
 */
public final class KeyMaterialGuard extends AppenderBase<ILoggingEvent> {

    private static final List<String> FINDINGS = new ArrayList<>();

    /** @return what was found since the last call, and forgets it */
    public static List<String> drain() {
        synchronized (FINDINGS) {
            List<String> found = List.copyOf(FINDINGS);
            FINDINGS.clear();
            return found;
        }
    }

    @Override
    protected void append(ILoggingEvent event) {
        check(event.getLoggerName(), event.getFormattedMessage());
        for (IThrowableProxy cause = event.getThrowableProxy(); cause != null; cause = cause.getCause()) {
            check(event.getLoggerName(), cause.getClassName() + ": " + cause.getMessage());
        }
    }

    private static void check(String logger, String text) {
        if (text == null) {
            return;
        }
        Optional<String> found = KeyMaterial.find(text);
        if (found.isPresent()) {
            synchronized (FINDINGS) {
                // The finding names the logger and the kind of material, not the line: the key stays out of the
                // test report too.
                FINDINGS.add(logger + " logged " + found.get() + " (a line of " + text.length() + " characters)");
            }
        }
    }
}
