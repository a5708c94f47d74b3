package io.edgeway.dataplane.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * A piece of a response body relayed as bytes after a {@link PassHead}: exactly the bytes the target sent,
 * chunk framing and trailers included, so the client-side encoder writes it as it is.
 */
public final class PassBody extends DefaultByteBufHolder {
    /** The end of a response without a body (HEAD, 204, 304, Content-Length: 0). */
    static final PassBody EMPTY_LAST = new PassBody(Unpooled.EMPTY_BUFFER, true);

    private final boolean last;

    PassBody(ByteBuf bytes, boolean last) {
        super(bytes);
        this.last = last;
    }

    /** The whole body of a response the proxy made itself ({@link PassHead#local}), as it goes on the wire. */
    public static PassBody last(ByteBuf bytes) {
        return bytes.isReadable() ? new PassBody(bytes, true) : EMPTY_LAST;
    }

    /** Whether the response ends with this piece. */
    public boolean last() {
        return last;
    }
}
