/**
 * Where client connections come in. {@link io.edgeway.dataplane.listener.ProxyInitializer} gives each accepted
 * connection its pipeline (h2c preface check, idle timer, HTTP/1.1 codec, drain, frontend); the client limits
 * and trusted proxies are read from the environment once ({@link io.edgeway.dataplane.listener.ClientLimits});
 * {@link io.edgeway.dataplane.listener.ClientIdleTimer} measures the client-side timeouts; and scale-in ends
 * connections cleanly through {@link io.edgeway.dataplane.listener.Drain} and its per-connection
 * {@link io.edgeway.dataplane.listener.DrainHandler}.
 */
package io.edgeway.dataplane.listener;
