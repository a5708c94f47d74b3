package io.edgeway.dataplane.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Decodes the responses of one upstream connection. The common response (HTTP/1.1, a final status, framed
 * by Content-Length or chunked) is relayed as bytes: {@link ResponseHead} checks and trims its head in
 * place, and its body is passed on as it arrives ({@link PassBody}), with only the framing followed.
 * Decoding each header into objects and encoding it again for the client was the largest single cost of a
 * proxied request. Every other response goes through Netty's decoder (this class's superclass) as before;
 * so does every response on a connection whose client cannot take bytes as they are (HTTP/2, HTTP/1.0).
 */
final class UpstreamDecoder extends HttpResponseDecoder {
    private enum Mode { HEAD, NETTY, LENGTH, CHUNKED, BROKEN }

    private final int maxHead;
    private final ChunkedScanner chunks;
    private Mode mode = Mode.HEAD;
    private boolean headRequest;
    private boolean passAllowed;
    private long remaining;
    private int nettyStatus;

    UpstreamDecoder(HttpDecoderConfig config) {
        super(config);
        this.maxHead = config.getMaxInitialLineLength() + config.getMaxHeaderSize();
        this.chunks = new ChunkedScanner(config.getMaxInitialLineLength(), config.getMaxHeaderSize());
    }

    /**
     * Told before each request is written: whether its answer has no body (HEAD), and whether the client
     * side takes a response as bytes.
     */
    void expect(HttpMethod method, boolean passAllowed) {
        this.headRequest = HttpMethod.HEAD.equals(method);
        this.passAllowed = passAllowed;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        switch (mode) {
            case HEAD -> head(ctx, in, out);
            case NETTY -> netty(ctx, in, out);
            case LENGTH -> length(in, out);
            case CHUNKED -> chunked(in, out);
            case BROKEN -> in.skipBytes(in.readableBytes());
        }
    }

    private void head(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (!passAllowed) {
            netty(ctx, in, out);
            return;
        }
        PassHead head = ResponseHead.parse(in, maxHead, headRequest, ctx.alloc());
        if (head == ResponseHead.INCOMPLETE) {
            return; // the rest of the head is still on its way
        }
        if (head == null) {
            netty(ctx, in, out);
            return;
        }
        out.add(head);
        switch (head.framing()) {
            case NONE -> out.add(PassBody.EMPTY_LAST);
            case LENGTH -> {
                mode = Mode.LENGTH;
                remaining = head.contentLength();
            }
            case CHUNKED -> {
                mode = Mode.CHUNKED;
                chunks.reset();
            }
        }
    }

    private void length(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(remaining, in.readableBytes());
        remaining -= n;
        boolean last = remaining == 0;
        out.add(new PassBody(in.readRetainedSlice(n), last));
        if (last) {
            mode = Mode.HEAD;
        }
    }

    private void chunked(ByteBuf in, List<Object> out) {
        int n;
        try {
            n = chunks.scan(in);
        } catch (RuntimeException e) {
            mode = Mode.BROKEN; // the connection is closed on the exception; drop whatever else comes
            in.skipBytes(in.readableBytes());
            throw e;
        }
        boolean last = chunks.done();
        out.add(new PassBody(in.readRetainedSlice(n), last));
        if (last) {
            mode = Mode.HEAD;
        }
    }

    /** Netty's decoder, for one response; back to the pass path after its end (but never after a 101). */
    private void netty(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        mode = Mode.NETTY;
        int before = out.size();
        super.decode(ctx, in, out);
        for (int i = before; i < out.size(); i++) {
            Object o = out.get(i);
            if (o instanceof HttpResponse res) {
                nettyStatus = res.status().code();
            }
            if (o instanceof LastHttpContent && nettyStatus != 101) {
                mode = Mode.HEAD;
            }
        }
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        int code = ((HttpResponse) msg).status().code();
        return (headRequest && code >= 200) || super.isContentAlwaysEmpty(msg);
    }
}
