package dev.ice.tunnel.udp;

import java.util.List;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** Collects the lines one log category writes during a test, to check what a user would read. */
final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    /** @param category e.g. "ice.datagram" */
    LogCapture(String category) {
        logger = (Logger) LoggerFactory.getLogger(category);
        appender.start();
        logger.addAppender(appender);
    }

    /** @return the formatted messages so far */
    List<String> lines() {
        // AppenderBase appends under the appender's lock: read under it too.
        synchronized (appender) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /** @return the lines so far that contain the text */
    List<String> linesContaining(String text) {
        return lines().stream().filter(line -> line.contains(text)).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
