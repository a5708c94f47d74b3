package io.edgeway.dataplane.compress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** gzip (RFC 1952) with the JDK's Deflater: raw deflate between a fixed header and the CRC-32/size trailer. */
final class GzipEncoder extends BodyEncoder {
    // magic, CM=deflate, no flags, no mtime, XFL 0, OS unknown
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    private final Deflater deflater;
    private final int level;
    private final CRC32 crc = new CRC32();
    private boolean headerWritten;

    GzipEncoder(ByteBufAllocator alloc, int level) {
        super(alloc);
        this.level = level;
        this.deflater = Deflaters.take(level);
    }

    @Override
    void compress(ByteBuf in, boolean last, ByteBuf out) {
        if (!headerWritten) {
            out.writeBytes(HEADER);
            headerWritten = true;
        }
        int n = in.readableBytes();
        if (n > 0) {
            ByteBuffer input = in.nioBufferCount() == 1 ? in.nioBuffer() : ByteBuffer.wrap(bytes(in));
            crc.update(input.duplicate());
            deflater.setInput(input);
        }
        if (last) {
            deflater.finish();
            while (!deflater.finished()) {
                drain(out, Deflater.NO_FLUSH);
            }
            int crcValue = (int) crc.getValue();
            int size = (int) deflater.getBytesRead();
            out.writeIntLE(crcValue).writeIntLE(size);
        } else if (n > 0) {
            // SYNC_FLUSH: everything so far goes out now; when the output filled up, there may be more
            while (drain(out, Deflater.SYNC_FLUSH)) {
                // the output filled its space: the flush may not be complete yet (Deflater#deflate)
            }
        }
        in.skipBytes(n);
    }

    /** One deflate call into {@code out}'s free space; true when it filled that space (call again). */
    private boolean drain(ByteBuf out, int flush) {
        out.ensureWritable(Math.max(64, out.writableBytes() < 64 ? out.capacity() : 0));
        int room = out.writableBytes();
        ByteBuffer target = out.nioBuffer(out.writerIndex(), room);
        int written = deflater.deflate(target, flush);
        out.writerIndex(out.writerIndex() + written);
        return written == room;
    }

    private static byte[] bytes(ByteBuf in) {
        byte[] b = new byte[in.readableBytes()];
        in.getBytes(in.readerIndex(), b);
        return b;
    }

    @Override
    void free() {
        Deflaters.give(deflater, level);
    }
}
