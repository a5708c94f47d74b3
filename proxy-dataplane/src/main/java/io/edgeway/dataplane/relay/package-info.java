/**
 * The relay of a request to a target and of its response back: every request's hot path, with {@code http1}.
 * {@link io.edgeway.dataplane.relay.FrontendHandler} (one per client connection) refuses bad requests, routes
 * the rest, picks a target and hands the request to its {@link io.edgeway.dataplane.relay.Exchange}, which holds
 * the target ({@link io.edgeway.dataplane.relay.TargetLease}), gets an upstream connection from this event
 * loop's {@link io.edgeway.dataplane.relay.LoopResources}, rewrites the heads
 * ({@link io.edgeway.dataplane.relay.HeaderRewriter}) and relays the bodies. On the target side: the upstream
 * codec ({@link io.edgeway.dataplane.relay.UpstreamRequestEncoder}, and {@link io.edgeway.dataplane.relay.UpstreamDecoder},
 * whose byte path passes most responses on as {@link io.edgeway.dataplane.relay.PassHead} and
 * {@link io.edgeway.dataplane.relay.PassBody}) and {@link io.edgeway.dataplane.relay.BackendHandler}. Also here:
 * every timeout and what it becomes ({@link io.edgeway.dataplane.relay.Timeout},
 * {@link io.edgeway.dataplane.relay.UpstreamTimers}) and WebSocket tunnels ({@link io.edgeway.dataplane.relay.Tunnel}).
 */
package io.edgeway.dataplane.relay;
