package io.edgeway.dataplane.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The batcher on a real event loop ({@link InVmConnection}): a task on the loop stands for one turn, and a
 * handler between the batcher and the socket counts the flushes that reach the socket.
 */
class H2FlushBatcherTest {
    private final SocketSide socket = new SocketSide();
    private InVmConnection connection;
    private Channel ch;

    @BeforeEach
    void connect() throws Exception {
        connection = new InVmConnection(H2FlushBatcherTest.class, p -> p.addLast(socket, new H2FlushBatcher()));
        ch = connection.ch;
    }

    @AfterEach
    void close() throws Exception {
        connection.close();
    }

    @Test
    void smallFlushesWaitForTheEndOfTheTurnAndLeaveInOne() throws Exception {
        int inTurn = inOneTurn(() -> {
            for (int i = 0; i < 10; i++) {
                ch.writeAndFlush(bytes(100));
            }
            return socket.flushes;
        });
        assertThat(inTurn).as("flushes that reached the socket before the turn ended").isZero();
        assertThat(inOneTurn(() -> socket.flushes)).as("flushes after the turn").isEqualTo(1);
        assertThat(inOneTurn(() -> socket.bytesFlushed)).isEqualTo(1000);
    }

    @Test
    void aFullRecordIsFlushedAtOnceWithWhatWasPending() throws Exception {
        int inTurn = inOneTurn(() -> {
            ch.writeAndFlush(bytes(100));
            ch.writeAndFlush(bytes(H2FlushBatcher.FLUSH_NOW_BYTES - 100));
            return socket.flushes;
        });
        assertThat(inTurn).as("a large body is not held for the end of the turn").isEqualTo(1);
        assertThat(inOneTurn(() -> socket.flushes)).as("and the turn's end adds no empty flush").isEqualTo(1);
    }

    @Test
    void aCloseSendsWhatWasWrittenFirst() throws Exception {
        int beforeClose = inOneTurn(() -> {
            ch.writeAndFlush(bytes(9)); // e.g. a GOAWAY
            ch.close();
            return socket.flushedAtClose;
        });
        assertThat(beforeClose).as("bytes flushed when the close reached the socket").isEqualTo(9);
    }

    @Test
    void aTurnWithNothingWrittenFlushesNothing() throws Exception {
        inOneTurn(() -> {
            ch.flush();
            return 0;
        });
        assertThat(inOneTurn(() -> socket.flushes)).as("an empty flush through TLS wraps an empty record").isZero();
    }

    private <T> T inOneTurn(Callable<T> task) throws Exception {
        return connection.inOneTurn(task);
    }

    private ByteBuf bytes(int n) {
        return ch.alloc().buffer(n).writeZero(n);
    }

    /** Where the socket (or SslHandler) would be: counts what is flushed to it. */
    private static final class SocketSide extends ChannelOutboundHandlerAdapter {
        int flushes;
        int bytesFlushed;
        int bytesWritten;
        int flushedAtClose = -1;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            bytesWritten += ((ByteBuf) msg).readableBytes();
            ctx.write(msg, promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            flushes++;
            bytesFlushed = bytesWritten;
            ctx.flush();
        }

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
            flushedAtClose = bytesFlushed;
            ctx.close(promise);
        }
    }
}
