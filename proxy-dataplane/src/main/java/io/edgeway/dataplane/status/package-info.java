/**
 * The status port: {@code /healthz}, {@code /readyz}, {@code /metrics} and {@code /health/upstreams}
 * ({@link io.edgeway.dataplane.status.StatusHandler}), the proxy's counters ({@link io.edgeway.dataplane.status.Metrics})
 * and per-target health ({@link io.edgeway.dataplane.status.UpstreamReport}).
 */
package io.edgeway.dataplane.status;
