package io.edgeway.controlplane.store;

/**
 * Who is writing, for the revision log. The admin API sets it per request on the request's thread (set at
 * the start of every request and cleared at its end), so every store write — including ones added later —
 * records the authenticated token's name without each call passing it along.
 */
public final class Actor {
    static final String UNKNOWN = "admin-api";
    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    private Actor() {}

    public static void set(String name) {
        if (name == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(name);
        }
    }

    /** Who makes the current request (the token's name), for the revision log and site deployments. */
    public static String current() {
        String name = CURRENT.get();
        return name == null ? UNKNOWN : name;
    }
}
