package io.edgeway.dataplane.listener;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;

/**
 * The client's address: the one a trusted load balancer's PROXY protocol header gave
 * ({@link ProxyProtocol}), else the TCP peer's. Everything that reads the client IP asks here, once per
 * connection: X-Forwarded-For, hashing by client IP, the access log, rate and connection limits.
 */
public final class ClientAddress {
    static final AttributeKey<InetSocketAddress> KEY = AttributeKey.valueOf("edgeway.clientAddress");

    private ClientAddress() {}

    /** {@code null} when the channel has no IP peer (e.g. an embedded channel in a unit test). */
    public static InetSocketAddress of(Channel ch) {
        Channel conn = ch instanceof Http2StreamChannel ? ch.parent() : ch; // a stream's client is its connection's
        InetSocketAddress given = conn.hasAttr(KEY) ? conn.attr(KEY).get() : null;
        if (given != null) {
            return given;
        }
        return conn.remoteAddress() instanceof InetSocketAddress isa && isa.getAddress() != null ? isa : null;
    }
}
