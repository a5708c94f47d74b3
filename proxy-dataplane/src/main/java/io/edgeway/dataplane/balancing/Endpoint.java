package io.edgeway.dataplane.balancing;

import static java.util.Objects.requireNonNull;

import io.edgeway.dataplane.tls.UpstreamTls;
import java.net.InetSocketAddress;

/**
 * One backend address in one config version, with the {@link TargetState} it shares with the same
 * {@code host:port} of the same upstream in other versions. The socket address is built once when the
 * config is parsed: IP literals are resolved then (no DNS involved); names stay unresolved and are resolved
 * when a connection is opened. The request path reports each exchange through {@link #onSuccess},
 * {@link #onFailure} and {@link #release}.
 */
public final class Endpoint {
    private final String host;
    private final int port;
    private final int weight;
    private final InetSocketAddress address;
    private final TargetState state;
    private TargetGroup owner; // set once by the TargetGroup built over this target, before it is published
    private Object poolKey; // likewise; see poolKey()

    /** A plaintext connection pooled under its address; a TLS one under the address and the TLS identity. */
    private record TlsPoolKey(InetSocketAddress address, UpstreamTls.Identity tls) {}

    Endpoint(String host, int port, int weight, InetSocketAddress address, TargetState state) {
        this.host = requireNonNull(host, "host");
        this.address = requireNonNull(address, "address");
        this.state = requireNonNull(state, "state");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
        if (weight < 0) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: >= 0)");
        }
        this.port = port;
        this.weight = weight;
        this.poolKey = address;
    }

    public static Endpoint of(String host, int port, int weight) {
        return of(host, port, weight, null);
    }

    /** A target that keeps {@code previous}'s state when given one (the same host:port in the last config). */
    public static Endpoint of(String host, int port, int weight, Endpoint previous) {
        TargetState state = previous != null ? previous.state : new TargetState(System.nanoTime());
        return new Endpoint(host, port, weight, socketAddress(host, port), state);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public int weight() {
        return weight;
    }

    public InetSocketAddress address() {
        return address;
    }

    public TargetState state() {
        return state;
    }

    public boolean enabled() {
        return weight > 0;
    }

    void owner(TargetGroup upstream) {
        owner = upstream;
        UpstreamTls tls = upstream.tls();
        poolKey = tls == null ? address : new TlsPoolKey(address, tls.identity());
    }

    /** TLS to this target (its upstream's), or null for plaintext. */
    public UpstreamTls tls() {
        TargetGroup u = owner;
        return u == null ? null : u.tls();
    }

    /**
     * Under what idle connections to this target are pooled and shared: a TLS and a plaintext upstream
     * (or two with different CA, SNI or verification) on the same host:port never get each other's
     * connections. Equal across config versions while the settings stay the same, so pools survive them.
     */
    public Object poolKey() {
        return poolKey;
    }

    /** The target answered with a status below 500. */
    public void onSuccess() {
        state.succeeded();
    }

    /** A connect failure, a 5xx or a timeout: counts toward passive ejection. */
    public void onFailure() {
        TargetGroup u = owner;
        if (u != null) {
            u.failed(this);
        }
    }

    /** The exchange that {@link TargetGroup#pick} counted is over, however it ended. */
    public void release() {
        state.end();
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

    /** host:port, the key under which state is carried across config versions. */
    @Override
    public String toString() {
        return host + ":" + port;
    }
}
