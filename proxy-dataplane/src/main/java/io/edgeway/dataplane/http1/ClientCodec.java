package io.edgeway.dataplane.http1;

import io.edgeway.dataplane.listener.ClientLimits;
import io.edgeway.dataplane.relay.LoopResources;
import io.edgeway.dataplane.relay.PassBody;
import io.edgeway.dataplane.relay.PassHead;
import io.edgeway.dataplane.relay.Timeout;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The client-side HTTP/1.1 codec: Netty's request decoder in its strictest settings plus the two things
 * it does not do, and a response encoder that knows which responses answer HEAD (as HttpServerCodec,
 * which is final and so cannot be extended).
 *
 * <p>Netty joins an obs-fold continuation line into the previous value, so a folded header would reach a
 * target that may split it differently; the decoder here scans the bytes it consumed for a head (LF then
 * SP/HT) and fails the request. It also owns the header timer, because only it knows that a head has
 * started but not finished; the timer is armed only for heads split across reads, so a request that
 * arrives in one read costs no timer.
 */
public final class ClientCodec extends CombinedChannelDuplexHandler<ClientCodec.Decoder, ClientCodec.Encoder> {
    /** A head Netty decoded but the proxy refuses; its message is the client's answer. */
    static final class MalformedHead extends IllegalArgumentException {
        MalformedHead(String reason) {
            super(reason);
        }
    }

    /** Methods of the requests not answered yet, oldest first; HEAD answers carry no body. */
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(4);

    public ClientCodec(ClientLimits limits) {
        init(new Decoder(limits), new Encoder());
    }

    /** Whether part of a request head has arrived and the rest has not. */
    public boolean headInProgress() {
        return inboundHandler().headStarted;
    }

    static HttpDecoderConfig decoderConfig(ClientLimits limits) {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxUriSize())
                .setMaxHeaderSize(limits.maxHeaderSize())
                .setMaxChunkSize(LoopResources.MAX_CHUNK)
                .setAllowDuplicateContentLengths(false)
                .setUseRfc9112TransferEncoding(true) // CL with TE, TE not ending in chunked: failures
                .setStrictLineParsing(true); // a bare LF ends no line
    }

    final class Decoder extends HttpRequestDecoder {
        private final long headerTimeoutMs;
        private boolean inHead = true;
        private boolean lastWasLf;
        private boolean folded;
        private boolean lineChecked;
        /** Why the request line of the head being decoded is refused, or null. */
        private String badLine;
        private boolean headStarted;
        private ScheduledFuture<?> headerTimer;

        Decoder(ClientLimits limits) {
            super(decoderConfig(limits));
            this.headerTimeoutMs = limits.headerTimeoutMs();
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            int start = in.readerIndex();
            int before = out.size();
            boolean head = inHead;
            if (head && !lineChecked) {
                checkRequestLine(in);
            }
            super.decode(ctx, in, out);
            if (head) {
                scanForFolding(in, start, in.readerIndex());
            }
            boolean headEnded = false;
            for (int i = before; i < out.size(); i++) {
                Object o = out.get(i);
                if (o instanceof HttpRequest req) {
                    headEnded = true;
                    headDone(req);
                }
                if (o instanceof LastHttpContent) {
                    inHead = true;
                    lineChecked = false;
                }
            }
            // One decode call never reads past the end of a head, so a head call without a request
            // means the head is split across reads.
            if (head && !headEnded) {
                headStarted = true;
            }
            if (head && !headEnded && headerTimer == null && ctx.channel().isActive()) {
                long timeout = headerTimeoutMs;
                headerTimer = ctx.executor().schedule(() -> {
                    headerTimer = null;
                    ctx.fireUserEventTriggered(Timeout.CLIENT_HEADER);
                }, timeout, TimeUnit.MILLISECONDS);
            }
        }

        private void headDone(HttpRequest req) {
            inHead = false;
            headStarted = false;
            lastWasLf = false;
            cancelTimer();
            methods.add(req.method());
            String malformed = folded ? "obsolete line folding in a header" : badLine;
            folded = false;
            badLine = null;
            if (malformed != null && req.decoderResult().isSuccess()) {
                req.setDecoderResult(DecoderResult.failure(new MalformedHead(malformed)));
            }
        }

        /**
         * Netty splits a request line at any run of spaces, tabs, VT, FF or CR, which RFC 9112 3 allows a
         * server but a proxy must not: a target that splits it otherwise would see another method, target
         * or version than the one routed. Exactly {@code method SP target SP version} passes. Checked once
         * the whole line has arrived (Netty consumes none of an unfinished line), on the bytes themselves.
         */
        private void checkRequestLine(ByteBuf in) {
            int from = in.readerIndex();
            int to = in.writerIndex();
            while (from < to && (in.getByte(from) == '\r' || in.getByte(from) == '\n')) {
                from++; // empty lines before a request are ignored (RFC 9112 2.2), as Netty does
            }
            int lf = from < to ? in.indexOf(from, to, (byte) '\n') : -1;
            if (lf < 0) {
                return;
            }
            lineChecked = true;
            int end = in.getByte(lf - 1) == '\r' ? lf - 1 : lf; // a bare LF is Netty's to refuse
            int sp1 = in.indexOf(from, end, (byte) ' ');
            int sp2 = sp1 < 0 ? -1 : in.indexOf(sp1 + 1, end, (byte) ' ');
            boolean wellFormed = sp1 > from && sp2 > sp1 + 1 && sp2 < end - 1
                    && in.indexOf(sp2 + 1, end, (byte) ' ') < 0
                    && in.forEachByte(from, end - from, b -> b >= 0x20 && b != 0x7f) < 0;
            if (!wellFormed) {
                badLine = "the request line is not method, target and version separated by single spaces";
            }
        }

        private void scanForFolding(ByteBuf in, int from, int to) {
            if (from >= to || folded) {
                return;
            }
            if (lastWasLf && isSpaceOrTab(in.getByte(from))) {
                folded = true;
                return;
            }
            int i = in.indexOf(from, to, (byte) '\n');
            while (i >= 0 && i + 1 < to) {
                if (isSpaceOrTab(in.getByte(i + 1))) {
                    folded = true;
                    return;
                }
                i = in.indexOf(i + 1, to, (byte) '\n');
            }
            lastWasLf = in.getByte(to - 1) == '\n';
        }

        private boolean isSpaceOrTab(byte b) {
            return b == ' ' || b == '\t';
        }

        private void cancelTimer() {
            if (headerTimer != null) {
                headerTimer.cancel(false);
                headerTimer = null;
            }
        }

        @Override
        protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
            cancelTimer();
            super.handlerRemoved0(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            super.channelInactive(ctx);
            cancelTimer();
        }
    }

    final class Encoder extends HttpResponseEncoder {
        /** A response relayed as bytes ({@link PassHead}, {@link PassBody}) goes out as it is. */
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof PassBody body) {
                ctx.write(body.content(), promise);
            } else if (msg instanceof PassHead head) {
                methods.poll();
                ctx.write(head.finish(), promise);
            } else {
                super.write(ctx, msg, promise);
            }
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            int code = msg.status().code();
            if (code >= 100 && code < 200 && code != 101) {
                return true; // an interim answer: the request is still waiting for its final one
            }
            HttpMethod method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }
    }
}
