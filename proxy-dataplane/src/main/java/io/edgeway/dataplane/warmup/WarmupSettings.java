package io.edgeway.dataplane.warmup;

import io.edgeway.dataplane.config.Durations;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The warm-up before {@code /readyz} turns ready (issue 21): synthetic requests through the real pipeline to a
 * loopback target of the proxy's own, so the JIT has compiled the hot paths before a load balancer sends the
 * first client. {@code EDGEWAY_WARMUP}: {@code on} (the default for the process) or {@code off};
 * {@code EDGEWAY_WARMUP_TIMEOUT}: the most it may delay readiness (default 10s, at most 300s);
 * {@code EDGEWAY_WARMUP_REQUESTS}: it ends sooner once that many requests were answered and the JIT has settled
 * (default 30000: C2 compiles a method after ~10,000 invocations and loops, so each hot method is called
 * well past that).
 * <p>Why 10 s by default, although C2 is often still compiling then: a longer warm-up compiles the hot paths to
 * the warm-up's own mix of traffic (h1, h2, TLS, trace context, several route kinds), and that code stays. In
 * one quiet bench/tls-bench.sh A/B a 60 s default cost 13-14 % more CPU per keep-alive request than 10 s
 * (30.4 vs 26.3 CPU-us small, 44.0 vs 38.0 for 16 KiB), and the same build with EDGEWAY_WARMUP_TIMEOUT=10
 * matched it (24.1 vs 24.2). Steady-state cost comes first; a fleet that prefers a calmer first minute sets a
 * longer bound (up to 300 s, the usual upper end of an autoscaling group's health check grace).
 * <p>{@code EDGEWAY_JIT_NICE} (0-19, default {@value #DEFAULT_JIT_NICE}: off): the nice value the JIT compiler
 * threads get when the warm-up ends, so compiles still running after ready yield the core to the event loops
 * ({@link CompilerThreadNice}). Applied only after a warm-up: before ready the compiler needs the core. Off by
 * default because it was measured to slow convergence (bench/README.md, "JIT compiler threads at a lower
 * priority after ready"): on a core shared with other processes the reniced compiler loses to them too, C2 code
 * arrived later, and in two one-round A/B runs the median per-second p99 was 1.8-2.3x main's, the last 10 s's 1.7-1.9x.
 */
public record WarmupSettings(boolean on, Duration timeout, int requests, int jitNice) {
    public static final WarmupSettings OFF = new WarmupSettings(false, Duration.ZERO, 0, 0);
    static final int DEFAULT_JIT_NICE = 0;
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MAX_TIMEOUT = Duration.ofSeconds(300);
    static final int DEFAULT_REQUESTS = 30_000;

    public WarmupSettings {
        if (on && (timeout.isZero() || timeout.isNegative() || timeout.compareTo(MAX_TIMEOUT) > 0)) {
            throw new IllegalArgumentException("EDGEWAY_WARMUP_TIMEOUT: " + timeout + " (expected: 1ms-300s)");
        }
        if (on && requests < 1) {
            throw new IllegalArgumentException("EDGEWAY_WARMUP_REQUESTS: " + requests + " (expected: >= 1)");
        }
        if (jitNice < 0 || jitNice > 19) {
            throw new IllegalArgumentException("EDGEWAY_JIT_NICE: " + jitNice + " (expected: 0-19)");
        }
    }

    /** A warm-up that leaves the compiler threads' priority as it is (tests, the launcher's training run). */
    public static WarmupSettings of(Duration timeout, int requests) {
        return new WarmupSettings(true, timeout, requests, 0);
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
        int requests = intFromEnv(env, "EDGEWAY_WARMUP_REQUESTS", DEFAULT_REQUESTS);
        return new WarmupSettings(true, timeout, requests, intFromEnv(env, "EDGEWAY_JIT_NICE", DEFAULT_JIT_NICE));
    }

    private static int intFromEnv(Map<String, String> env, String name, int byDefault) {
        String n = env.getOrDefault(name, String.valueOf(byDefault)).trim();
        try {
            return Integer.parseInt(n);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": " + n + " (expected: an integer)");
        }
    }
}
