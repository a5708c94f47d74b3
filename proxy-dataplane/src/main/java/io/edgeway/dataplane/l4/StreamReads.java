package io.edgeway.dataplane.l4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * One stream channel's read sizing, and the byte count of a spliced relay. Reads into buffers are 16 KiB (nginx's
 * stream proxy_buffer_size: on a bulk stream the buffer stays in cache between the kernel's copy in and its copy
 * out; an interleaved A/B on a loaded machine gave 0.74-0.85 CPU-s per GB against 0.84-1.15 with 64 KiB reads).
 * Once spliced ({@link #splicing()}), a read moves up to 256 KiB socket to pipe: no buffer is filled, so a larger
 * move only means fewer wake-ups. Netty's splice moves at most this per epoll wake-up. A pipe has 16 buffers, not
 * 64 KiB: a buffer can hold more than a page of a TCP fragment, and strace shows 256 KiB going in (about 7 calls of
 * 64 KiB, 56 KiB, ... as the buffers fill) and out in one call; 1 MiB moved no more per wake-up. Measured on loopback
 * (bench/README.md, layer 4): 64 KiB cost 15.6 epoll waits and 64 syscalls per MB, 256 KiB 4.1 and 42; and the
 * reader behind the proxy spent 0.22-0.24 CPU-s per GB instead of 0.26-0.30 (probably: larger sends reach it).
 * Netty reports every read's and every splice's byte count to the handle ({@code lastBytesRead}), so the handle
 * counts what a splice moved, which no callback says otherwise. One instance per channel (the handle is per
 * channel), set before the channel's first read.
 */
final class StreamReads implements RecvByteBufAllocator {
    static final int READ_SIZE = 16 * 1024;
    static final int SPLICE_SIZE = 256 * 1024;

    private final ExtendedHandle reads = (ExtendedHandle) new FixedRecvByteBufAllocator(READ_SIZE).newHandle();
    private final Counting handle = new Counting();
    private boolean splicing;
    private long bytes;

    @Override
    public Handle newHandle() {
        return handle;
    }

    /** From now on reads are splices: bigger moves, and counted from here (earlier bytes were counted as buffers). */
    void splicing() {
        splicing = true;
        bytes = 0;
    }

    /** Whether {@code ch}'s reads are splices (Netty's splice then owns its autoRead). */
    static boolean spliced(io.netty.channel.Channel ch) {
        return ch.config().getRecvByteBufAllocator() instanceof StreamReads r && r.splicing;
    }

    /** The bytes read since the last call. */
    long take() {
        long n = bytes;
        bytes = 0;
        return n;
    }

    private final class Counting implements ExtendedHandle {
        @Override
        public void lastBytesRead(int n) {
            if (n > 0) {
                bytes += n;
            }
            reads.lastBytesRead(n);
        }

        @Override
        public int guess() {
            return splicing ? SPLICE_SIZE : reads.guess();
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return reads.allocate(alloc);
        }

        @Override
        public void reset(ChannelConfig config) {
            reads.reset(config);
        }

        @Override
        public void incMessagesRead(int n) {
            reads.incMessagesRead(n);
        }

        @Override
        public int lastBytesRead() {
            return reads.lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int n) {
            reads.attemptedBytesRead(n);
        }

        @Override
        public int attemptedBytesRead() {
            return reads.attemptedBytesRead();
        }

        @Override
        public boolean continueReading() {
            return reads.continueReading();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return reads.continueReading(maybeMoreDataSupplier);
        }

        @Override
        public void readComplete() {
            reads.readComplete();
        }
    }
}
