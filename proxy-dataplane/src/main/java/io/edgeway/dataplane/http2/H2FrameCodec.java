package io.edgeway.dataplane.http2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.logging.LogLevel;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * Netty's server frame codec, with the one decision it leaves open made as RFC 9113 wants it: a HEADERS or
 * DATA frame for a stream the connection no longer has. Netty cannot tell why the stream is gone and
 * answers every such frame with RST_STREAM(STREAM_CLOSED), "the lesser of two errors". This codec remembers
 * how the last {@link #REMEMBERED} client streams ended, and so can be exact:
 * <ul>
 *   <li>the proxy reset the stream: frames in flight are ignored (RFC 9113 5.1, "closed");</li>
 *   <li>the stream ended normally, or the client reset it: a connection error STREAM_CLOSED (5.1);</li>
 *   <li>the stream was never opened, i.e. an identifier below one already used (5.1.1): a connection
 *       error PROTOCOL_ERROR;</li>
 *   <li>a stream older than the memory: Netty's RST_STREAM(STREAM_CLOSED), the answer that is never
 *       too harsh.</li>
 * </ul>
 * And one case where Netty picks another code than the RFC: HEADERS on a half-closed (remote) stream, a
 * second request head or trailers after END_STREAM, is PROTOCOL_ERROR ("too many headers") to Netty and a
 * stream error STREAM_CLOSED to RFC 9113 5.1. {@link HeadersTap} sees such a frame before Netty rejects it.
 *
 * <p>Everything else (validation, flow control, limits) is Netty's, configured in {@link #forServer()}.
 */
final class H2FrameCodec extends Http2FrameCodec {
    /**
     * Frames the client sent before it saw our reset arrive within a round trip, in which this many other
     * streams rarely close; 256 bytes per connection that has closed a stream (idle connections matter).
     */
    static final int REMEMBERED = 64;
    private static final int NOT_REMEMBERED = 2;

    /** Recently closed client stream ids, negative when the proxy reset them; allocated at the first close. */
    private int[] closed;
    private int next;
    private int count;
    /** The stream of a HEADERS frame that arrived on it while half-closed (remote), until Netty rejects it. */
    private int headersWhenHalfClosed;

    private H2FrameCodec(Http2ConnectionEncoder encoder, Http2ConnectionDecoder decoder, Http2Settings settings,
            boolean decoupleCloseAndGoAway, boolean flushPreface) {
        super(encoder, decoder, settings, decoupleCloseAndGoAway, flushPreface);
        connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                if (connection().remote().isValidStreamId(stream.id())) {
                    remember(stream.isResetSent() ? -stream.id() : stream.id());
                }
            }
        });
    }

    static Builder forServer() {
        return new Builder();
    }

    private void remember(int signedId) {
        if (closed == null) {
            closed = new int[REMEMBERED];
        }
        closed[next] = signedId;
        next = (next + 1) % REMEMBERED;
        count = Math.min(count + 1, REMEMBERED);
    }

    /**
     * {@code 1} closed normally or by the client, {@code -1} reset by the proxy, {@code 0} never opened,
     * {@link #NOT_REMEMBERED} when it may have closed before the oldest stream remembered.
     */
    private int howClosed(int id) {
        int oldest = Integer.MAX_VALUE;
        for (int i = 0; i < count; i++) {
            int signed = closed[i];
            if (signed == id) {
                return 1;
            } else if (signed == -id) {
                return -1;
            }
            oldest = Math.min(oldest, Math.abs(signed));
        }
        // Every stream that closed is remembered while the memory is not full; once it is, only ids above the
        // oldest one remembered can be told apart (streams close roughly in the order they opened).
        return count < REMEMBERED || id > oldest ? 0 : NOT_REMEMBERED;
    }

    @Override
    public void onError(ChannelHandlerContext ctx, boolean outbound, Throwable cause) {
        Http2Exception e = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
        if (!outbound && e instanceof Http2Exception.StreamException se) {
            int id = se.streamId();
            if (id == headersWhenHalfClosed) {
                headersWhenHalfClosed = 0;
                cause = Http2Exception.streamError(id, Http2Error.STREAM_CLOSED,
                        "HEADERS on half-closed (remote) stream %d", id);
            } else if (connection().stream(id) == null && se.error() == Http2Error.STREAM_CLOSED) {
                int how = howClosed(id);
                if (how < 0) {
                    return; // frames the client sent before it saw our RST_STREAM
                }
                cause = how == NOT_REMEMBERED ? cause : how > 0
                        ? Http2Exception.connectionError(Http2Error.STREAM_CLOSED, "frame on closed stream %d", id)
                        : Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR,
                                "stream %d was never opened and its identifier is spent", id);
            } else if (connection().stream(id) == null && isNewStream(id)
                    && !(se instanceof Http2Exception.HeaderListSizeException)) {
                openToReset(id);
            }
        }
        super.onError(ctx, outbound, cause);
    }

    private boolean isNewStream(int id) {
        return connection().remote().isValidStreamId(id) && id > connection().remote().lastStreamCreated();
    }

    /**
     * Netty refused the header block that would open stream {@code id} (a bad field, say) while decoding
     * it, before the stream existed, and would reset a stream it never opened: the DATA the client may
     * already have sent after it would then be a connection error ("stream does not exist") that ends
     * every other stream too. Opened here, the stream is reset and closed like any other, and that DATA
     * is ignored. The oversized-header case is left to Netty, which answers it with a 431.
     */
    private void openToReset(int id) {
        try {
            connection().remote().createStream(id, false);
        } catch (Http2Exception limit) {
            // over the stream limit or after GOAWAY: Netty's own answer stands
        }
    }

    /**
     * Netty's frame logger is its one hook that sees an inbound frame before the connection decoder
     * checks it against the stream's state; this one logs nothing more than the logger category is set
     * to (TRACE), and notes HEADERS that arrive on a half-closed (remote) stream.
     */
    private static final class HeadersTap extends Http2FrameLogger {
        H2FrameCodec codec;

        HeadersTap() {
            super(LogLevel.TRACE, H2FrameCodec.class);
        }

        @Override
        public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId, Http2Headers headers,
                int padding, boolean endStream) {
            note(direction, streamId);
            super.logHeaders(direction, ctx, streamId, headers, padding, endStream);
        }

        @Override
        public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId, Http2Headers headers,
                int streamDependency, short weight, boolean exclusive, int padding, boolean endStream) {
            note(direction, streamId);
            super.logHeaders(direction, ctx, streamId, headers, streamDependency, weight, exclusive, padding,
                    endStream);
        }

        private void note(Direction direction, int streamId) {
            if (direction == Direction.INBOUND && codec != null) {
                Http2Stream s = codec.connection().stream(streamId);
                if (s != null && s.state() == Http2Stream.State.HALF_CLOSED_REMOTE && !s.isResetSent()) {
                    codec.headersWhenHalfClosed = streamId;
                }
            }
        }
    }

    /** {@link Http2FrameCodecBuilder#forServer()}'s settings, building this class. */
    static final class Builder extends Http2FrameCodecBuilder {
        private final HeadersTap tap = new HeadersTap();

        private Builder() {
            server(true);
            gracefulShutdownTimeoutMillis(0); // as Http2FrameCodecBuilder.forServer()
            frameLogger(tap);
        }

        @Override
        protected Http2FrameCodec build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                Http2Settings initialSettings) {
            H2FrameCodec codec = new H2FrameCodec(encoder, decoder, initialSettings, decoupleCloseAndGoAway(),
                    flushPreface());
            codec.gracefulShutdownTimeoutMillis(gracefulShutdownTimeoutMillis());
            tap.codec = codec;
            return codec;
        }
    }
}
