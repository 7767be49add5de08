package dev.ice.tunnel;

import java.util.List;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails any test during which a log line held key material, as {@link KeyMaterialGuard} saw it. Registered for
 * every test of the module through JUnit's extension autodetection (src/test/resources/META-INF/services).
 */
public final class KeyMaterialExtension implements BeforeEachCallback, AfterEachCallback {

    @Override
    public void beforeEach(ExtensionContext context) {
        KeyMaterialGuard.drain();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> findings = KeyMaterialGuard.drain();
        if (!findings.isEmpty()) {
            throw new AssertionError("key material reached the logs during " + context.getDisplayName() + ": "
                + findings);
        }
    }
}
