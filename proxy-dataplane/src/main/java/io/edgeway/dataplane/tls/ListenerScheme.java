package io.edgeway.dataplane.tls;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.netty.util.AsciiString;

/**
 * Which scheme a client connection arrived with, for X-Forwarded-Proto: marked on the connection by the TLS
 * listener's initializer, read once per connection (an HTTP/2 stream asks its parent connection).
 */
public final class ListenerScheme {
    public static final AsciiString HTTP = AsciiString.cached("http");
    public static final AsciiString HTTPS = AsciiString.cached("https");
    private static final AttributeKey<Boolean> TLS = AttributeKey.valueOf("edgeway.tls");

    private ListenerScheme() {}

    static void markTls(Channel connection) {
        connection.attr(TLS).set(Boolean.TRUE);
    }

    /** "https" on a connection of the TLS listener or a stream of one, "http" otherwise. */
    public static AsciiString of(Channel ch) {
        Channel connection = ch.parent() instanceof io.netty.channel.socket.SocketChannel p ? p : ch;
        return connection.hasAttr(TLS) ? HTTPS : HTTP;
    }
}
