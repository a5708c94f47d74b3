package io.edgeway.dataplane.compress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Compresses one response body as it streams: each piece of the target's body becomes a piece of compressed
 * body at once (flushed, so a target that pauses does not leave bytes held back), and the last piece ends the
 * stream. Only the encoder's window is kept between pieces, never the body. {@link #close} frees the native
 * state and must be called once, however the response ends.
 */
public abstract class BodyEncoder implements AutoCloseable {
    private final ByteBufAllocator alloc;
    private boolean closed;

    BodyEncoder(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** The compressed form of {@code content}, which is released; trailers of a last piece are kept. */
    public final HttpContent encode(HttpContent content) {
        try {
            ByteBuf in = content.content();
            ByteBuf out = alloc.directBuffer(Math.max(256, in.readableBytes() / 2 + 64));
            try {
                if (content instanceof LastHttpContent last) {
                    compress(in, true, out);
                    return new DefaultLastHttpContent(out, last.trailingHeaders());
                }
                compress(in, false, out);
                return new DefaultHttpContent(out);
            } catch (RuntimeException e) {
                out.release();
                throw e;
            }
        } finally {
            content.release();
        }
    }

    /** Writes {@code in} compressed to {@code out} (growing it), then flushes, or ends the stream when {@code last}. */
    abstract void compress(ByteBuf in, boolean last, ByteBuf out);

    abstract void free();

    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            free();
        }
    }
}
