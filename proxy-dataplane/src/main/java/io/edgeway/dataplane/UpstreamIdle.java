package io.edgeway.dataplane;

import io.edgeway.dataplane.config.Durations;
import java.time.Duration;
import java.util.Map;

/**
 * How long an idle upstream keep-alive connection stays pooled (EDGEWAY_UPSTREAM_IDLE_TIMEOUT, default
 * 4s). It must stay below the targets' own keep-alive timeout, so the proxy, not the target, is the side
 * that closes an idle connection: Node.js and Apache httpd close after 5 s, nginx after 75 s, so 4 s
 * (undici's default, for the same reason) keeps clear of the common ones. Targets that close sooner are
 * covered by the pool dropping a connection as soon as its FIN is read and by the one resend of a
 * bodiless request whose reused connection closed before any response byte ({@code Exchange}).
 */
final class UpstreamIdle {
    private UpstreamIdle() {}

    static long millis(Map<String, String> env) {
        long ms = Durations.fromEnv(env, "EDGEWAY_UPSTREAM_IDLE_TIMEOUT", Duration.ofSeconds(4)).toMillis();
        if (ms < 1) {
            throw new IllegalArgumentException("EDGEWAY_UPSTREAM_IDLE_TIMEOUT: " + ms + "ms (expected: > 0)");
        }
        return ms;
    }
}
