package io.edgeway.dataplane.balancing;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;

/**
 * One backend address. The socket address is built once when the config is parsed: IP literals are
 * resolved then (no DNS involved); names stay unresolved and are resolved when a connection is opened.
 */
public record Target(String host, int port, int weight, InetSocketAddress address) {

    public Target {
        requireNonNull(host, "host");
        requireNonNull(address, "address");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
        if (weight < 0) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: >= 0)");
        }
    }

    public static Target of(String host, int port, int weight) {
        return new Target(host, port, weight, socketAddress(host, port));
    }

    public boolean enabled() {
        return weight > 0;
    }

    private static InetSocketAddress socketAddress(String host, int port) {
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (isIpLiteral(literal)) {
            // An IP literal never triggers a lookup, so this is safe at config time.
            return new InetSocketAddress(literal, port);
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    static boolean isIpLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true; // IPv6
        }
        int dots = 0;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c == '.') {
                dots++;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        return dots == 3;
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
