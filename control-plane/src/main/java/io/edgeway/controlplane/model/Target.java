package io.edgeway.controlplane.model;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One backend address of an upstream. Weight is 0-1000: a target gets traffic in proportion to its
 * weight, and 0 keeps it configured but sends it nothing (drained).
 */
public record Target(String host, int port, int weight) {
    public static final int DEFAULT_WEIGHT = 1;
    public static final int MAX_WEIGHT = 1000;

    private static final Pattern HOSTNAME = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]{2,45}");

    public Target {
        host = host == null ? null : host.toLowerCase(Locale.ROOT);
        var v = new ValidationException.Collector();
        v.check(host != null, "host", "host: missing (expected: a hostname or IP address)");
        if (host != null) {
            boolean ok = HOSTNAME.matcher(host).matches() || (host.contains(":") && IPV6.matcher(host).matches());
            v.check(ok, "host", "host: " + host + " (expected: a hostname or IP address)");
        }
        v.check(port >= 1 && port <= 65535, "port", "port: " + port + " (expected: 1-65535)");
        v.check(weight >= 0 && weight <= MAX_WEIGHT, "weight", "weight: " + weight + " (expected: 0-" + MAX_WEIGHT + ")");
        v.throwIfAny();
    }

    public static Target of(String host, int port) {
        return new Target(host, port, DEFAULT_WEIGHT);
    }
}
