package dev.ice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

import picocli.CommandLine.IVersionProvider;

/** ICE's version, stamped into the jar by the build. */
final class Version implements IVersionProvider {

    /** @return the version, e.g. "0.1.0-SNAPSHOT" */
    static String number() {
        Properties properties = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/ice-version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties.getProperty("version", "unknown");
    }

    @Override
    public String[] getVersion() {
        return new String[] {"icetunnel " + number() + " (Java " + Runtime.version() + ")"};
    }
}
