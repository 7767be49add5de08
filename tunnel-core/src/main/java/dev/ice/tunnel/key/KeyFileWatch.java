package dev.ice.tunnel.key;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back when anything changes in the directory of a key file, once the changes have settled.
 *
 * <p>The directory is watched rather than the file because a file replaced by a rename is a new file: Kubernetes
 * updates a mounted secret by writing a new hidden directory and renaming a {@code ..data} symlink over the old
 * one, and editors often save the same way. When the file is a symlink, the directory of its target is watched
 * as well.
 */
final class KeyFileWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("ice.keys");

    // Writers replace a file in several steps (write, rename, remove the old copy); wait for this much quiet.
    private static final long SETTLE_MILLIS = 200;

    private final WatchService service;
    private final Runnable onChange;
    private final Thread thread;

    KeyFileWatch(Path file, Runnable onChange) throws IOException {
        this.service = file.getFileSystem().newWatchService();
        this.onChange = onChange;
        Path directory = file.toAbsolutePath().getParent();
        register(directory);
        Path target = file.toRealPath().getParent();
        if (!target.equals(directory.toRealPath())) {
            register(target);
        }
        this.thread = Thread.ofPlatform().daemon().name("ice-key-watch").start(this::run);
        LOG.debug("watching {} for changes to key file {}", directory, file.getFileName());
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            LOG.debug("closing the key file watch: {}", e.toString());
        }
        thread.interrupt();
    }

    private void register(Path directory) throws IOException {
        directory.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
    }

    private void run() {
        try {
            while (true) {
                reset(service.take());
                for (WatchKey more = settle(); more != null; more = settle()) {
                    reset(more);
                }
                changed();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            LOG.debug("key file watch stopped");
        }
    }

    private void changed() {
        try {
            onChange.run();
        } catch (RuntimeException e) {
            LOG.warn("key file watch: reloading failed, the keys in use are kept: {}", e.toString());
        }
    }

    private WatchKey settle() throws InterruptedException {
        return service.poll(SETTLE_MILLIS, TimeUnit.MILLISECONDS);
    }

    // The events themselves do not matter: any change leads to one read, which compares the content.
    private static void reset(WatchKey key) {
        key.pollEvents();
        key.reset();
    }
}
