package io.edgeway.dataplane.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pool recycles its entries (issue 21: a new entry per parked connection was a twentieth of a proxied
 * request's garbage). Real loopback connections; every pool call on the pool's own event loop, as in the proxy.
 */
class UpstreamPoolReuseTest {
    private static final String TARGET = "127.0.0.1:1";
    private EventLoopGroup group;
    private EventLoop loop;
    private Channel server;
    private UpstreamPool pool;
    private final AtomicInteger idleGauge = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter()).bind("127.0.0.1", 0).sync().channel();
        pool = onLoop(() -> new UpstreamPool(loop, 60_000, idleGauge::addAndGet));
    }

    @AfterEach
    void stop() throws Exception {
        pool.close();
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private Channel connect() throws Exception {
        return new Bootstrap().group(loop).channel(NioSocketChannel.class).handler(new ChannelInboundHandlerAdapter())
                .connect(server.localAddress()).sync().channel();
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(10, TimeUnit.SECONDS);
    }

    @Test
    void parkingAndTakingAConnectionAllocatesNothingOnceWarm() throws Exception {
        Channel a = connect();
        long bytes = onLoop(() -> {
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            for (int i = 0; i < 20_000; i++) { // warm: the JIT compiles the cycle, the spare list holds an entry
                pool.release(TARGET, a);
                pool.poll(TARGET);
            }
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                pool.release(TARGET, a);
                pool.poll(TARGET);
            }
            return mx.getCurrentThreadAllocatedBytes() - before;
        });
        // A new 24-byte entry per park would be 240,000 bytes here; a little slack for the MXBean call itself.
        assertThat(bytes).isLessThan(10_000);
        a.close().sync();
    }

    @Test
    void aRecycledEntryNeverHandsOutAConnectionThatWasTakenOrRemoved() throws Exception {
        Channel a = connect();
        Channel b = connect();
        Channel c = connect();
        onLoop(() -> {
            pool.release(TARGET, a);
            assertThat(pool.poll(TARGET)).isSameAs(a); // a's entry goes to the spare list
            pool.release(TARGET, b); // and is reused for b
            pool.remove(TARGET, a); // a is not parked: b must stay
            assertThat(pool.size()).isEqualTo(1);
            pool.release(TARGET, c);
            pool.remove(TARGET, b);
            assertThat(pool.size()).isEqualTo(1);
            assertThat(pool.poll(TARGET)).isSameAs(c);
            assertThat(pool.poll(TARGET)).isNull();
            return null;
        });
        assertThat(idleGauge.get()).isZero();
        assertThat(a.isActive() && b.isActive() && c.isActive()).as("nothing was closed by mistake").isTrue();
    }
}
