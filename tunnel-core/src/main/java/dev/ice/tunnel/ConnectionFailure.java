package dev.ice.tunnel;

/** An exception a protecting handler raises once a connection is open, naming the outcome to record. */
public interface ConnectionFailure {

    /** @return how the connection ends */
    ConnectionOutcome outcome();
}
