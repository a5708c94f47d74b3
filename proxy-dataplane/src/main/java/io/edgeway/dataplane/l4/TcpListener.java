package io.edgeway.dataplane.l4;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A TCP stream port. Client and target channels share one event loop; both allow half-closure, so a client's
 * FIN reaches the target while the reply still flows back. Connections join the port's own group (to drain
 * this port alone when its route goes) and the proxy's (to drain everything on SIGTERM).
 */
final class TcpListener implements Listener {
    private Channel server;
    private final ChannelGroup connections = new DefaultChannelGroup("stream", GlobalEventExecutor.INSTANCE);
    private volatile PortRoutes routes;

    private TcpListener(PortRoutes routes) {
        this.routes = routes;
    }

    /** Binds now (throws when the port is taken), on the config thread: a snapshot is refused before it applies. */
    static TcpListener bind(StreamNet net, PortRoutes routes, StreamSettings settings)
            throws InterruptedException {
        Bootstrap targets = new Bootstrap().channel(net.socketClass())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()));
        TcpListener self = new TcpListener(routes);
        long idleMs = settings.idleTimeout().toMillis();
        long helloMs = settings.helloTimeout().toMillis();
        ChannelInitializer<Channel> init = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                PortRoutes r = self.routes; // read once: this connection keeps the routes it arrived under
                ch.config().setRecvByteBufAllocator(new StreamReads()); // its own: it counts this channel's splices
                self.connections.add(ch);
                net.clients().add(ch);
                TcpFrontend frontend = new TcpFrontend(r, targets, idleMs);
                if (r.bySni()) {
                    ch.pipeline().addLast("sni", new SniPeek(r, frontend, helloMs));
                }
                ch.pipeline().addLast("frontend", frontend);
            }
        };
        self.server = new ServerBootstrap()
                .group(net.acceptor(), net.workers())
                .channel(net.serverClass())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(init)
                .bind(net.address(), routes.listen().port()).sync().channel();
        return self;
    }

    @Override
    public void routes(PortRoutes routes) {
        this.routes = routes;
    }

    @Override
    public void close(long drainMs) {
        server.close().syncUninterruptibly();
        if (drainMs <= 0) {
            connections.close();
        } else {
            GlobalEventExecutor.INSTANCE.schedule(() -> connections.close(), drainMs, TimeUnit.MILLISECONDS);
        }
    }
}
