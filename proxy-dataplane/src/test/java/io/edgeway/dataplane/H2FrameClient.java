package io.edgeway.dataplane;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/2 client that sends whatever frames a test asks for, valid or not: Netty's
 * {@link DefaultHttp2FrameWriter} encodes them (HPACK included; headers are built without validation, so
 * they may be malformed), and they go out on a plain blocking socket. What comes back is read as raw frames,
 * so a test sees exactly the frame and error code the proxy answered with.
 */
final class H2FrameClient implements AutoCloseable {
    record Frame(int type, int flags, int streamId, byte[] payload) {
        /** The error code of a RST_STREAM or GOAWAY. */
        long errorCode() {
            int at = type == Http2FrameTypes.GO_AWAY ? 4 : 0;
            return ((payload[at] & 0xffL) << 24) | ((payload[at + 1] & 0xff) << 16)
                    | ((payload[at + 2] & 0xff) << 8) | (payload[at + 3] & 0xff);
        }

        @Override
        public String toString() {
            String detail = type == Http2FrameTypes.GO_AWAY && payload.length > 8
                    ? new String(payload, 8, payload.length - 8, StandardCharsets.UTF_8) : "";
            return "frame type " + type + " stream " + streamId + " flags " + flags + " " + detail;
        }

        boolean endStream() {
            return (type == Http2FrameTypes.DATA || type == Http2FrameTypes.HEADERS)
                    && (flags & Http2Flags.END_STREAM) != 0;
        }
    }

    /** What a connection error looks like once the proxy also closed the socket. */
    static final Frame CLOSED = new Frame(-1, 0, 0, new byte[0]);

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final EmbeddedChannel encoder = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx = encoder.pipeline().firstContext();
    private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();

    /** Connects, sends the preface and empty SETTINGS, and acknowledges the proxy's SETTINGS. */
    H2FrameClient(int port) throws IOException {
        this(port, ByteBufBytes.of(Http2CodecUtil.connectionPrefaceBuf()));
        handshake();
    }

    /** Connects and sends {@code preface}, whatever it is, and nothing else. */
    private H2FrameClient(int port, byte[] preface) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000); // a stream the proxy leaves hanging fails the test instead of blocking it
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        out.write(preface);
        out.flush();
    }

    static H2FrameClient withPreface(int port, String preface) throws IOException {
        return new H2FrameClient(port, preface.getBytes(StandardCharsets.ISO_8859_1));
    }

    private void handshake() throws IOException {
        writer.writeSettings(ctx, new Http2Settings(), ctx.newPromise());
        flush();
        Frame f;
        while ((f = next()).type != Http2FrameTypes.SETTINGS || (f.flags & Http2Flags.ACK) != 0) {
            // the proxy's ACK of ours may come before its own SETTINGS
        }
        writer.writeSettingsAck(ctx, ctx.newPromise());
        flush();
    }

    /** A GET for {@code path} on {@code authority} with the usual pseudo-headers, unvalidated so tests may add to it. */
    static Http2Headers request(String authority, String path) {
        Http2Headers h = new DefaultHttp2Headers(false);
        h.method("GET").scheme("http").authority(authority).path(path);
        return h;
    }

    H2FrameClient headers(int streamId, Http2Headers headers, boolean endStream) throws IOException {
        writer.writeHeaders(ctx, streamId, headers, 0, endStream, ctx.newPromise());
        return flush();
    }

    H2FrameClient data(int streamId, String text, boolean endStream) throws IOException {
        ByteBuf payload = Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
        writer.writeData(ctx, streamId, payload, 0, endStream, ctx.newPromise());
        return flush();
    }

    H2FrameClient rst(int streamId, long errorCode) throws IOException {
        writer.writeRstStream(ctx, streamId, errorCode, ctx.newPromise());
        return flush();
    }

    /** Any frame at all, e.g. one with a length its type does not allow. */
    H2FrameClient raw(byte type, int streamId, int flags, byte... payload) throws IOException {
        writer.writeFrame(ctx, type, streamId, new Http2Flags((short) flags), Unpooled.wrappedBuffer(payload),
                ctx.newPromise());
        return flush();
    }

    /** Raw bytes, e.g. a WINDOW_UPDATE whose increment the writer would refuse to encode. */
    H2FrameClient bytes(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
        return this;
    }

    private H2FrameClient flush() throws IOException {
        encoder.flushOutbound(); // an EmbeddedChannel hands written buffers over only once flushed
        ByteBuf b;
        while ((b = encoder.readOutbound()) != null) {
            out.write(ByteBufBytes.of(b));
            b.release();
        }
        out.flush();
        return this;
    }

    /** The next frame from the proxy, {@link #CLOSED} at the end of the connection. */
    Frame next() throws IOException {
        byte[] head = new byte[9];
        try {
            in.readFully(head);
        } catch (EOFException e) {
            return CLOSED;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the proxy neither answered nor reset within the socket timeout", e);
        }
        int length = ((head[0] & 0xff) << 16) | ((head[1] & 0xff) << 8) | (head[2] & 0xff);
        int streamId = (((head[5] & 0x7f) << 24) | ((head[6] & 0xff) << 16) | ((head[7] & 0xff) << 8)
                | (head[8] & 0xff));
        byte[] payload = new byte[length];
        in.readFully(payload);
        return new Frame(head[3] & 0xff, head[4] & 0xff, streamId, payload);
    }

    /**
     * The next RST_STREAM or GOAWAY (or the close), skipping SETTINGS, WINDOW_UPDATE, PING and the start of
     * answers; the end of an answer is returned too, so that a request that was served fails a test at once.
     */
    Frame nextError() throws IOException {
        while (true) {
            Frame f = next();
            if (f == CLOSED || f.type == Http2FrameTypes.RST_STREAM || f.type == Http2FrameTypes.GO_AWAY
                    || f.endStream()) {
                return f;
            }
        }
    }

    /** Reads up to the end of the answer on {@code streamId}; its status, or the error that ended it. */
    Frame nextEndOf(int streamId) throws IOException {
        while (true) {
            Frame f = next();
            if (f == CLOSED || f.type == Http2FrameTypes.GO_AWAY
                    || (f.streamId == streamId && (f.endStream() || f.type == Http2FrameTypes.RST_STREAM))) {
                return f;
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        encoder.finishAndReleaseAll();
    }

    private static final class ByteBufBytes {
        static byte[] of(ByteBuf b) {
            byte[] bytes = new byte[b.readableBytes()];
            b.getBytes(b.readerIndex(), bytes);
            return bytes;
        }
    }
}
