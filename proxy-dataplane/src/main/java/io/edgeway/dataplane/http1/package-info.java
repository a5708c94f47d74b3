/**
 * HTTP/1.1 on the client side, before anything reaches a target: the codec
 * ({@link io.edgeway.dataplane.http1.ClientCodec}: strict head parsing, the header timer, relayed response bytes
 * written as they are), the refusal of malformed or ambiguous requests
 * ({@link io.edgeway.dataplane.http1.RequestValidator}, {@link io.edgeway.dataplane.http1.PathNormalizer},
 * {@link io.edgeway.dataplane.http1.ConnectionHeader}) and the proxy's own small responses
 * ({@link io.edgeway.dataplane.http1.Http}). With {@code relay}, this is every request's hot path.
 */
package io.edgeway.dataplane.http1;
