package io.edgeway.dataplane.l4;

import io.edgeway.dataplane.config.Durations;
import java.time.Duration;
import java.util.Map;

/**
 * The proxy-wide settings of stream routes. Neither a stream route nor an upstream carries timeouts in the
 * admin API, so the connect and idle timeouts are the proxy's, as nginx's {@code proxy_connect_timeout} and
 * {@code proxy_timeout} are per server block; the defaults are nginx's stream ones where it has one.
 *
 * @param connectTimeout a TCP connect to a target (EDGEWAY_STREAM_CONNECT_TIMEOUT, 10s); then the next target
 * @param idleTimeout    no byte moved either way on a TCP connection (EDGEWAY_STREAM_IDLE_TIMEOUT, 10m): closed;
 *                       moved: read by the proxy, or sent by it and acknowledged (a slow reader draining)
 * @param helloTimeout   the whole ClientHello on a port routed by SNI (EDGEWAY_STREAM_HELLO_TIMEOUT, 10s)
 * @param udpIdleTimeout a UDP session without a datagram either way (EDGEWAY_UDP_SESSION_TIMEOUT, 30s)
 * @param udpMaxSessions sessions per UDP port (EDGEWAY_UDP_MAX_SESSIONS, 10000): a new client beyond it
 *                       evicts the least recently active session
 * @param drainTimeout   how long a removed route's connections may finish before they are closed
 */
public record StreamSettings(Duration connectTimeout, Duration idleTimeout, Duration helloTimeout,
                             Duration udpIdleTimeout, int udpMaxSessions, Duration drainTimeout) {
    public StreamSettings {
        positive("connectTimeout", connectTimeout);
        positive("idleTimeout", idleTimeout);
        positive("helloTimeout", helloTimeout);
        positive("udpIdleTimeout", udpIdleTimeout);
        if (drainTimeout == null || drainTimeout.isNegative()) {
            throw new IllegalArgumentException("drainTimeout: " + drainTimeout + " (expected: >= 0)");
        }
        if (udpMaxSessions < 1) {
            throw new IllegalArgumentException("udpMaxSessions: " + udpMaxSessions + " (expected: >= 1)");
        }
    }

    public static StreamSettings fromEnv(Map<String, String> env, Duration drainTimeout) {
        String max = env.getOrDefault("EDGEWAY_UDP_MAX_SESSIONS", "10000").trim();
        int sessions;
        try {
            sessions = Integer.parseInt(max);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("EDGEWAY_UDP_MAX_SESSIONS: '" + max + "' (expected: a whole number >= 1)");
        }
        return new StreamSettings(
                Durations.fromEnv(env, "EDGEWAY_STREAM_CONNECT_TIMEOUT", Duration.ofSeconds(10)),
                Durations.fromEnv(env, "EDGEWAY_STREAM_IDLE_TIMEOUT", Duration.ofMinutes(10)),
                Durations.fromEnv(env, "EDGEWAY_STREAM_HELLO_TIMEOUT", Duration.ofSeconds(10)),
                Durations.fromEnv(env, "EDGEWAY_UDP_SESSION_TIMEOUT", Duration.ofSeconds(30)),
                sessions, drainTimeout);
    }

    public StreamSettings withDrainTimeout(Duration d) {
        return new StreamSettings(connectTimeout, idleTimeout, helloTimeout, udpIdleTimeout, udpMaxSessions, d);
    }

    public StreamSettings withIdleTimeout(Duration d) {
        return new StreamSettings(connectTimeout, d, helloTimeout, udpIdleTimeout, udpMaxSessions, drainTimeout);
    }

    public StreamSettings withUdpMaxSessions(int n) {
        return new StreamSettings(connectTimeout, idleTimeout, helloTimeout, udpIdleTimeout, n, drainTimeout);
    }

    public StreamSettings withHelloTimeout(Duration d) {
        return new StreamSettings(connectTimeout, idleTimeout, d, udpIdleTimeout, udpMaxSessions, drainTimeout);
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }
}
