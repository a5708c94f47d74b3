package io.edgeway.dataplane.l4;

import static java.util.Objects.requireNonNull;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;

/**
 * What stream listeners share with the rest of the proxy: its event loops and transport (epoll or NIO), the
 * address it listens on, and the group of client connections that a SIGTERM drains.
 */
public record StreamNet(EventLoopGroup acceptor, EventLoopGroup workers, Class<? extends ServerSocketChannel> serverClass,
                        Class<? extends SocketChannel> socketClass, Class<? extends DatagramChannel> datagramClass,
                        ChannelGroup clients, String address) {
    public StreamNet {
        requireNonNull(acceptor, "acceptor");
        requireNonNull(workers, "workers");
        requireNonNull(serverClass, "serverClass");
        requireNonNull(socketClass, "socketClass");
        requireNonNull(datagramClass, "datagramClass");
        requireNonNull(clients, "clients");
        requireNonNull(address, "address");
    }
}
