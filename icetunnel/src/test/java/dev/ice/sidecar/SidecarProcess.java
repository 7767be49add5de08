package dev.ice.sidecar;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts {@code bin/icetunnel sidecar} inside a network namespace, configured as a user configures it: by ICE_*
 * variables in its environment, the key included (never on its command line).
 */
final class SidecarProcess {

    /** A test key; it protects nothing but the scenario's own traffic. */
    static final String KEY = "hex:3c1d9f0a7b5e4c2d8f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e";

    /** How long a sidecar may take from start to {@code ready}: a JVM start and a few netfilter commands. */
    static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private SidecarProcess() {
    }

    /**
     * The settings of a sidecar with encryption on and the test key.
     *
     * @param roles the value of ICE_ROLES
     * @return settings the caller may add to or override
     */
    static Map<String, String> settings(String roles) {
        Map<String, String> settings = new HashMap<>();
        settings.put("ICE_ROLES", roles);
        settings.put("ICE_CRYPTO_STRATEGY", "ice");
        settings.put("ICE_ENCRYPTION_ENABLED", "True");
        settings.put("ICE_PRESHARED_KEY", KEY);
        return settings;
    }

    /**
     * Starts a sidecar; it is not ready yet.
     *
     * @param namespace where it runs
     * @param settings its ICE_* variables
     * @param log where its output goes
     * @return the running sidecar
     */
    static RunningProcess start(String namespace, Map<String, String> settings, Path log) {
        return RunningProcess.start("sidecar in " + namespace,
            Commands.inNamespace(namespace, Commands.ICETUNNEL, "sidecar"), settings, log);
    }

    /**
     * Starts a sidecar and waits until it logs {@code ready}.
     *
     * @param namespace where it runs
     * @param settings its ICE_* variables
     * @param log where its output goes
     * @return the ready sidecar
     */
    static RunningProcess startReady(String namespace, Map<String, String> settings, Path log) {
        RunningProcess sidecar = start(namespace, settings, log);
        try {
            sidecar.awaitLine(" ready: ", READY_TIMEOUT);
        } catch (AssertionError e) {
            sidecar.close();
            throw e;
        }
        return sidecar;
    }

    /**
     * Runs {@code bin/icetunnel rules ACTION} in the namespace.
     *
     * @param namespace where
     * @param settings the ICE_* variables, as the sidecar's
     * @param action install, remove or show
     * @return how it ended
     */
    static Commands.Result rules(String namespace, Map<String, String> settings, String action) {
        return Commands.run(Duration.ofSeconds(30), Commands.inNamespace(namespace, Commands.ICETUNNEL, "rules",
            action), settings, "");
    }
}
