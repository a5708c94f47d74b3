package io.edgeway.dataplane.compress;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.Encoder;
import com.aayushatharva.brotli4j.encoder.EncoderJNI;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * br (RFC 7932) with brotli4j's JNI encoder, driven as its own stream wrapper drives it: fill the input buffer,
 * push, pull every output piece. A 256 KiB window (lgwin 18) keeps each stream's native state small.
 */
final class BrotliEncoder extends BodyEncoder {
    private static final int INPUT = 16 * 1024;
    private static final int LGWIN = 18;
    private final EncoderJNI.Wrapper encoder;

    /** Whether the native library loaded on this machine; when it did not, routes compress with gzip only. */
    static boolean available() {
        try {
            return Brotli4jLoader.isAvailable();
        } catch (Throwable e) { // a missing native jar shows up as a linkage error
            return false;
        }
    }

    BrotliEncoder(ByteBufAllocator alloc, int quality) {
        super(alloc);
        try {
            this.encoder = new EncoderJNI.Wrapper(INPUT, quality, LGWIN, Encoder.Mode.TEXT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    void compress(ByteBuf in, boolean last, ByteBuf out) {
        ByteBuffer input = encoder.getInputBuffer();
        do {
            int n = Math.min(in.readableBytes(), input.capacity());
            input.clear();
            input.limit(n);
            in.readBytes(input);
            boolean lastPiece = !in.isReadable();
            EncoderJNI.Operation op = !lastPiece ? EncoderJNI.Operation.PROCESS
                    : last ? EncoderJNI.Operation.FINISH : EncoderJNI.Operation.FLUSH;
            run(op, n, out);
        } while (in.isReadable());
    }

    private void run(EncoderJNI.Operation op, int length, ByteBuf out) {
        boolean pushed = false;
        while (true) {
            if (!encoder.isSuccess()) {
                throw new IllegalStateException("brotli encoding failed");
            }
            if (encoder.hasMoreOutput()) {
                out.writeBytes(encoder.pull());
            } else if (encoder.hasRemainingInput()) {
                encoder.push(EncoderJNI.Operation.PROCESS, 0);
            } else if (!pushed) {
                encoder.push(op, length);
                pushed = true;
            } else {
                return;
            }
        }
    }

    @Override
    void free() {
        encoder.destroy();
    }
}
