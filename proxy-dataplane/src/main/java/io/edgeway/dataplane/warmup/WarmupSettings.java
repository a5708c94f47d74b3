package io.edgeway.dataplane.warmup;

import io.edgeway.dataplane.config.Durations;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The warm-up before {@code /readyz} turns ready (issue 21): synthetic requests through the real pipeline to a
 * loopback target of the proxy's own, so the JIT has compiled the hot paths before a load balancer sends the
 * first client. {@code EDGEWAY_WARMUP}: {@code on} (the default for the process) or {@code off};
 * {@code EDGEWAY_WARMUP_TIMEOUT}: the most it may delay readiness (default 60s, at most 300s);
 * {@code EDGEWAY_WARMUP_REQUESTS}: it ends sooner once that many requests were answered and the JIT has settled
 * (default 30000: C2 compiles a method after ~10,000 invocations and loops, so each hot method is called
 * well past that).
 * <p>Why 60 s: the old 10 s bound was what ended every warm-up in bench/cold-start.sh DIAG=1 on this (loaded,
 * 2-core) machine, with C2 still compiling the request path for 11-13 s after ready. A node kept out of rotation
 * 60 s costs nothing a load balancer would notice (an autoscaling group's health check grace is typically
 * 60-300 s; deploy/terraform's is 180 s), and the warm-up normally ends well before it on "compilation settled".
 * 300 s is that grace's usual upper end: a longer bound would outlast it and get the node replaced.
 */
public record WarmupSettings(boolean on, Duration timeout, int requests) {
    public static final WarmupSettings OFF = new WarmupSettings(false, Duration.ZERO, 0);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    static final Duration MAX_TIMEOUT = Duration.ofSeconds(300);
    static final int DEFAULT_REQUESTS = 30_000;

    public WarmupSettings {
        if (on && (timeout.isZero() || timeout.isNegative() || timeout.compareTo(MAX_TIMEOUT) > 0)) {
            throw new IllegalArgumentException("EDGEWAY_WARMUP_TIMEOUT: " + timeout + " (expected: 1ms-300s)");
        }
        if (on && requests < 1) {
            throw new IllegalArgumentException("EDGEWAY_WARMUP_REQUESTS: " + requests + " (expected: >= 1)");
        }
    }

    public static WarmupSettings of(Duration timeout, int requests) {
        return new WarmupSettings(true, timeout, requests);
    }

    public static WarmupSettings from(Map<String, String> env) {
        String mode = env.getOrDefault("EDGEWAY_WARMUP", "on").trim().toLowerCase(Locale.ROOT);
        if (mode.equals("off")) {
            return OFF;
        }
        if (!mode.equals("on")) {
            throw new IllegalArgumentException("EDGEWAY_WARMUP: " + mode + " (expected: on or off)");
        }
        Duration timeout = Durations.fromEnv(env, "EDGEWAY_WARMUP_TIMEOUT", DEFAULT_TIMEOUT);
        String n = env.getOrDefault("EDGEWAY_WARMUP_REQUESTS", String.valueOf(DEFAULT_REQUESTS)).trim();
        int requests;
        try {
            requests = Integer.parseInt(n);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("EDGEWAY_WARMUP_REQUESTS: " + n + " (expected: an integer)");
        }
        return new WarmupSettings(true, timeout, requests);
    }
}
