package io.edgeway.dataplane.http2;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A real connection on Netty's in-VM transport with one event loop, for handlers whose behaviour depends on
 * the end of a loop's turn ({@code EmbeddedChannel} runs pending tasks after every write, so it cannot tell
 * the end of a turn from a write): a task submitted to the loop is one turn. The client side drops what it reads.
 */
final class InVmConnection implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    private final Channel server;
    private final Channel client;
    /** The accepted channel, whose pipeline {@code serverSide} built. */
    final Channel ch;

    InVmConnection(Class<?> owner, Consumer<ChannelPipeline> serverSide) throws Exception {
        LocalAddress address = new LocalAddress(owner);
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        serverSide.accept(c.pipeline());
                        accepted.complete(c);
                    }
                }).bind(address).sync().channel();
        client = new Bootstrap().group(group).channel(LocalChannel.class).handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
            }
        }).connect(address).sync().channel();
        ch = accepted.get(10, TimeUnit.SECONDS);
    }

    /** Runs {@code task} as one turn of the loop and returns what it returned. */
    <T> T inOneTurn(Callable<T> task) throws Exception {
        return ch.eventLoop().submit(task).get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        client.close().sync();
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
}
