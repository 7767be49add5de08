package dev.ice.netfilter;

/**
 * An {@link InterceptionPlan} holds a value that cannot be turned into rules: a port out of range, a CIDR that does
 * not parse, a listener port that is also intercepted.
 *
 * <p>The message names the field, the value, the limit it broke and how to fix it.
 */
public final class InvalidPlanException extends IllegalArgumentException {

    /**
     * @param message the field, the value and the fix
     */
    public InvalidPlanException(String message) {
        super(message);
    }
}
