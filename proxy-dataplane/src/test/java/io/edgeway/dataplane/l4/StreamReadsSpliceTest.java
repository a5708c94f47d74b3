package io.edgeway.dataplane.l4;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollSplice;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The size of one spliced read (StreamReads.SPLICE_SIZE). Netty's splice moves at most that many bytes per epoll
 * wake-up; at 64 KiB a bulk stream cost a wake-up per 64 KiB, and the loopback bench's reader paid more per byte
 * for the small sends (bench/README.md, layer 4). Real sockets on 127.0.0.1, Netty's epoll transport, the same
 * EpollSplice and StreamReads the relay uses; no proxy around them, so what one wake-up moved is observable.
 */
class StreamReadsSpliceTest {
    private static final int MB = 1024 * 1024;

    @Test
    void oneWakeUpSplicesMoreThan64KiBWhenMoreIsQueued() throws Exception {
        Assumptions.assumeTrue(Epoll.isAvailable(), "needs the epoll transport (Linux)");
        byte[] data = new byte[8 * MB];
        new Random(18).nextBytes(data);
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try (ServerSocket sink = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            AtomicLong largestWakeUp = new AtomicLong();
            CompletableFuture<Channel> spliced = new CompletableFuture<>();
            StreamReads reads = new StreamReads();
            Channel server = new ServerBootstrap().group(loop).channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_RCVBUF, 4 * MB) // room for what the sender queues before the first read
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel from) {
                            from.config().setRecvByteBufAllocator(reads);
                            from.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelReadComplete(ChannelHandlerContext ctx) {
                                    largestWakeUp.accumulateAndGet(reads.take(), Math::max); // bytes this wake-up moved
                                }
                            });
                            new Bootstrap().group(from.eventLoop()).channel(EpollSocketChannel.class)
                                    .handler(new ChannelInboundHandlerAdapter())
                                    .connect(sink.getLocalSocketAddress()).addListener((ChannelFuture f) -> {
                                        if (!f.isSuccess()) {
                                            spliced.completeExceptionally(f.cause());
                                            return;
                                        }
                                        reads.splicing(); // on the loop, autoRead still off: as Relay.splice does
                                        EpollSplice.spliceForever(from, f.channel());
                                        spliced.complete(from);
                                    });
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            try (Socket client = new Socket()) {
                client.setSendBufferSize(4 * MB);
                client.connect(server.localAddress());
                try (Socket target = sink.accept()) {
                    Channel from = spliced.get(10, TimeUnit.SECONDS);
                    OutputStream out = client.getOutputStream();
                    out.write(data, 0, MB); // waits in the proxy side's socket (4 MiB buffer) until reading starts
                    out.flush();
                    from.eventLoop().submit(() -> from.config().setAutoRead(true)).get(10, TimeUnit.SECONDS);
                    CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> crcOf(target, data.length));
                    out.write(data, MB, data.length - MB);
                    out.flush();
                    CRC32 sent = new CRC32();
                    sent.update(data);
                    assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(sent.getValue());
                }
            }
            assertThat(largestWakeUp.get())
                    .as("the most bytes one wake-up spliced, with 1 MiB written before the first read")
                    .isGreaterThan(64 * 1024);
            server.close().sync();
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static long crcOf(Socket target, int length) {
        try (InputStream in = target.getInputStream()) {
            CRC32 crc = new CRC32();
            byte[] buf = new byte[64 * 1024];
            for (int got = 0; got < length; ) {
                int n = in.read(buf, 0, Math.min(buf.length, length - got));
                if (n < 0) {
                    throw new IllegalStateException("the target got " + got + " of " + length + " bytes");
                }
                crc.update(buf, 0, n);
                got += n;
            }
            return crc.getValue();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
