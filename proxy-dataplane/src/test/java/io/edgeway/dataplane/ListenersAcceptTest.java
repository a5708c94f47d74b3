package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Which loop accepts a client-facing listener's connections: with one worker, the worker itself (no hand-over
 * from another thread per connection); with several, the acceptor, which deals them out.
 */
class ListenersAcceptTest {
    @Test
    void oneWorkerAcceptsItsOwnConnections() throws Exception {
        Accepted a = acceptOne(1);
        assertThat(a.listenerLoop).as("loop of the listening socket").isSameAs(a.connectionLoop);
        assertThat(a.acceptorLoop).isNotSameAs(a.listenerLoop);
    }

    @Test
    void severalWorkersLeaveAcceptingToTheAcceptor() throws Exception {
        Accepted a = acceptOne(2);
        assertThat(a.listenerLoop).as("loop of the listening socket").isSameAs(a.acceptorLoop);
        assertThat(a.connectionLoop).isNotSameAs(a.acceptorLoop);
    }

    private record Accepted(EventLoop acceptorLoop, EventLoop listenerLoop, EventLoop connectionLoop) {}

    /** Binds a real listener on 127.0.0.1, connects once, and reports the loops involved. */
    private static Accepted acceptOne(int workerCount) throws Exception {
        MultiThreadIoEventLoopGroup acceptor = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        MultiThreadIoEventLoopGroup workers = new MultiThreadIoEventLoopGroup(workerCount, NioIoHandler.newFactory());
        CompletableFuture<SocketChannel> accepted = new CompletableFuture<>();
        try {
            Channel listener = Listeners.clientFacing(acceptor, workers, NioServerSocketChannel.class,
                    new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            accepted.complete(ch);
                        }
                    }, "127.0.0.1", 0);
            int port = ((java.net.InetSocketAddress) listener.localAddress()).getPort();
            try (Socket s = new Socket("127.0.0.1", port)) {
                SocketChannel ch = accepted.get(10, TimeUnit.SECONDS);
                return new Accepted(acceptor.next(), listener.eventLoop(), ch.eventLoop());
            } finally {
                listener.close().sync();
            }
        } finally {
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            acceptor.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
