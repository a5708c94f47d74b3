/**
 * gRPC, relayed as HTTP/2 frames end to end (trailers included): {@link io.edgeway.dataplane.grpc.GrpcStreamSwitch}
 * picks gRPC streams out of a client's HTTP/2 connection and hands each to a
 * {@link io.edgeway.dataplane.grpc.GrpcRelay}, which relays it to a stream on the target's h2c connection;
 * {@link io.edgeway.dataplane.grpc.GrpcHeaders} is what the proxy changes in their headers and how it answers
 * errors itself.
 */
package io.edgeway.dataplane.grpc;
