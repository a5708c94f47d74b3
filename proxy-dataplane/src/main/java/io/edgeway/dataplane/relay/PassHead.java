package io.edgeway.dataplane.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * A final response head relayed as bytes ({@link UpstreamDecoder}): the status line and the headers the
 * client may see, already stripped of hop-by-hop fields and {@code Server}, without the blank line that
 * ends the head. Who writes it may still ask for {@code Connection: close}; {@link #finish} adds that and
 * the blank line when the head goes on the wire.
 */
public final class PassHead extends DefaultByteBufHolder {
    private static final byte[] CLOSE = "connection: close\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** How the body that follows is framed; it arrives as {@link PassBody} pieces, the last one marked. */
    enum Framing { NONE, LENGTH, CHUNKED }

    private final int status;
    private final boolean upstreamCloses;
    private final Framing framing;
    private final long contentLength;
    private boolean closeConnection;

    PassHead(ByteBuf head, int status, boolean upstreamCloses, Framing framing, long contentLength) {
        super(head);
        this.status = status;
        this.upstreamCloses = upstreamCloses;
        this.framing = framing;
        this.contentLength = contentLength;
    }

    /**
     * A head the proxy made itself (a cache hit, a site file), written as bytes to an HTTP/1.1 client: {@code head}
     * is the status line and fields, without the blank line; a body of known length follows as {@link PassBody}.
     */
    public static PassHead local(ByteBuf head, int status) {
        return new PassHead(head, status, false, Framing.LENGTH, -1);
    }

    int status() {
        return status;
    }

    /** The target said {@code Connection: close}: its connection cannot go back to the pool. */
    boolean upstreamCloses() {
        return upstreamCloses;
    }

    Framing framing() {
        return framing;
    }

    long contentLength() {
        return contentLength;
    }

    /** The client connection closes after this response: say so in the head. */
    public void closeConnection() {
        closeConnection = true;
    }

    /** The head as it goes on the wire; called once, by the client-side encoder. */
    public ByteBuf finish() {
        ByteBuf head = content();
        if (closeConnection) {
            head.writeBytes(CLOSE);
        }
        return head.writeShort(('\r' << 8) | '\n');
    }
}
