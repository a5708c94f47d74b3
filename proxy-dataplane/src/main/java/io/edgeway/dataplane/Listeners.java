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
import io.netty.util.concurrent.EventExecutor;

/** How the proxy's listening sockets are bound: the client-facing ones and the status port. */
final class Listeners {
    private Listeners() {}

    /**
     * A client-facing listener: both proxy ports (plain and TLS) take the same socket options. A proxy with one
     * worker loop accepts on that loop, as an nginx worker does; a separate acceptor thread would hand every new
     * connection over to it (a task, an eventfd wake-up and a thread switch per connection: on the one core a
     * one-worker proxy is usually given, a large share of a resumed TLS handshake's cost). With several workers
     * the acceptor deals the connections out, so that no worker accepts for the others.
     */
    static Channel clientFacing(EventLoopGroup acceptor, EventLoopGroup workers, Class<? extends ServerSocketChannel> serverClass,
                                ChannelHandler init, String address, int port) throws InterruptedException {
        return new ServerBootstrap()
                .group(acceptingGroup(acceptor, workers), workers)
                .channel(serverClass)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(init)
                .bind(address, port).sync().channel();
    }

    /** The loop group whose loop accepts a client-facing listener's connections (see {@link #clientFacing}). */
    static EventLoopGroup acceptingGroup(EventLoopGroup acceptor, EventLoopGroup workers) {
        int loops = 0;
        for (EventExecutor ignored : workers) {
            loops++;
        }
        return loops == 1 ? workers : acceptor;
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
