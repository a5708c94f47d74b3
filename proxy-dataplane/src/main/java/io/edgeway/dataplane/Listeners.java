package io.edgeway.dataplane;

import io.edgeway.dataplane.status.StatusHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;

/** How the proxy's listening sockets are bound: the client-facing ones and the status port. */
final class Listeners {
    private Listeners() {}

    /** A client-facing listener: both proxy ports (plain and TLS) take the same socket options. */
    static Channel clientFacing(EventLoopGroup acceptor, EventLoopGroup workers, Class<? extends ServerSocketChannel> serverClass,
                                ChannelHandler init, String address, int port) throws InterruptedException {
        return new ServerBootstrap()
                .group(acceptor, workers)
                .channel(serverClass)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(init)
                .bind(address, port).sync().channel();
    }

    /** The status port (/healthz, /readyz, /metrics): on the acceptor loop, so it answers even when the workers are busy. */
    static Channel status(EventLoopGroup acceptor, Class<? extends ServerSocketChannel> serverClass, StatusHandler status,
                          String address, int port) throws InterruptedException {
        return new ServerBootstrap()
                .group(acceptor, acceptor)
                .channel(serverClass)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("codec", new HttpServerCodec()).addLast("status", status);
                    }
                })
                .bind(address, port).sync().channel();
    }
}
