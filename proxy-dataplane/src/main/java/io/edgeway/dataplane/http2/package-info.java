/**
 * HTTP/2 in cleartext. From clients: {@link io.edgeway.dataplane.http2.Http2Frontend} builds the HTTP/2
 * pipeline, entered by prior knowledge ({@link io.edgeway.dataplane.http2.H2cPreface}) or by
 * {@code Upgrade: h2c} ({@link io.edgeway.dataplane.http2.H2cUpgrade}). To targets:
 * {@link io.edgeway.dataplane.http2.H2Upstreams} keeps one h2c connection per target and event loop, for gRPC
 * and for h2c upstreams. On both sides a stream's messages are made to look like HTTP/1.1 ones
 * ({@link io.edgeway.dataplane.http2.H2StreamAdapter}), so the {@code relay} package handles them unchanged.
 */
package io.edgeway.dataplane.http2;
