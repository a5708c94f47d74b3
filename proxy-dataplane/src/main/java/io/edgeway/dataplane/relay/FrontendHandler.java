package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.config.ConfigHolder;
import io.edgeway.dataplane.tls.ListenerScheme;
import io.edgeway.dataplane.routing.RouteRule;
import io.edgeway.dataplane.http1.ClientCodec;
import io.edgeway.dataplane.http2.Http2Frontend;
import io.edgeway.dataplane.listener.ClientAddress;
import io.edgeway.dataplane.listener.TrustedProxies;
import io.edgeway.dataplane.status.Metrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * One per client connection: reads requests one at a time (pipelined ones wait in {@link #pending}) and hands
 * each head to its {@link RequestDispatch} (parse → route → local answer or forward) and each body part to the
 * {@link Exchange} that relays it; where a request is in its life is the exchange's {@link Phase}. AUTO_READ
 * is off: each side is read only while the other is writable, and writes are flushed once per read batch.
 * Every timeout ends in {@link #timedOut}.
 */
public final class FrontendHandler extends ChannelInboundHandlerAdapter {
    private final ConfigHolder configs;
    private final LoopResources loop;
    private final Metrics metrics;
    private final TrustedProxies trustedProxies;
    private final ArrayDeque<Object> pending = new ArrayDeque<>(4);
    private ChannelHandlerContext ctx;
    private Exchange exchange;
    private LocalAnswers answers;
    private RequestDispatch dispatch;
    private ClientCodec codec;
    private String clientIp = "";
    private boolean trustedPeer;
    /** X-Forwarded-Proto: "https" on the TLS listener's connections and their HTTP/2 streams. */
    private CharSequence scheme = ListenerScheme.HTTP;
    private boolean draining;
    private String[] tls;
    /** Set on HTTP/1.1 connections, which may upgrade to h2c; {@code null} on HTTP/2 streams. */
    private Http2Frontend h2c;

    public FrontendHandler(ConfigHolder configs, LoopResources loop, Metrics metrics, TrustedProxies trustedProxies) {
        this.configs = configs;
        this.loop = loop;
        this.metrics = metrics;
        this.trustedProxies = trustedProxies;
    }

    public FrontendHandler allowH2cUpgrade(Http2Frontend h2) {
        this.h2c = h2;
        return this;
    }

    /** Where this connection's current request is in its life. */
    Phase phase() {
        return exchange.phase();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.exchange = new Exchange(this, ctx, loop, metrics);
        this.answers = new LocalAnswers(this, ctx, exchange, loop);
        this.codec = ctx.pipeline().get(ClientCodec.class);
        this.dispatch = new RequestDispatch(this, ctx, exchange, answers, loop, configs, metrics, h2c);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetSocketAddress isa = ClientAddress.of(ctx.channel()); // a trusted balancer's PROXY header, else the peer
        if (isa != null) {
            clientIp = isa.getAddress().getHostAddress();
            trustedPeer = trustedProxies.contains(isa.getAddress()); // the peer is fixed: decide once
        }
        scheme = ListenerScheme.of(ctx.channel());
        ctx.read();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        exchange.abandon();
        releasePending();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (exchange.phase() == Phase.CLOSED) {
            ReferenceCountUtil.release(msg);
        } else if (!pending.isEmpty() || mustWait(msg)) {
            pending.add(msg);
        } else {
            handle(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        afterBatch();
    }

    /** Messages that belong to a later step: the body while connecting, or a pipelined request. */
    private boolean mustWait(Object msg) {
        return switch (exchange.phase()) {
            case CONNECTING -> true;
            case AWAITING_RESPONSE, INFORMATIONAL, DROPPING_503, RELAYING, SWITCHING -> exchange.requestDone;
            case DISCARDING -> msg instanceof HttpRequest;
            case IDLE, ROUTING, CLOSED -> false;
        };
    }

    private void handle(Object msg) {
        if (msg instanceof HttpRequest req) {
            dispatch.onRequest(req);
        } else if (msg instanceof HttpContent content) {
            if (content.decoderResult().isFailure()) { // e.g. a bad chunk size: the stream is lost
                content.release();
                metrics.badRequests.increment();
                refuseBody(HttpResponseStatus.BAD_REQUEST, "malformed request body");
            } else {
                exchange.requestContent(content);
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** A collapsed cache miss that waited in vain goes to a target after all (its headers read again: off the common path). */
    void forward(RouteRule route, HttpRequest req) {
        dispatch.forward(route, req, req.headers().get(HttpHeaderNames.HOST),
                req.headers().contains(HttpHeaderNames.UPGRADE));
    }

    /** A chunked body went over the route's max_body_bytes: 413 if no answer began, else a cut (never a whole-looking body). */
    void bodyTooLarge() {
        refuseBody(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "the request body is larger than this route allows");
    }

    /**
     * The body cannot go on: the target sees its connection end inside the body (an incomplete request). A head
     * written toward it in this read batch is not flushed yet and goes with the connection; one flushed in an
     * earlier batch cannot be taken back. The client gets the status if no answer began, else a close.
     */
    private void refuseBody(HttpResponseStatus status, String detail) {
        exchange.dropBackend();
        if (exchange.responseStarted()) {
            abort();
        } else {
            local(status, detail, true);
        }
    }

    private void afterBatch() {
        if (answers.lingering()) {
            ctx.read(); // the codec drops the bytes of a refused stream; reading on is how we see EOF
        } else if (exchange.attached()) {
            exchange.flushUpstream();
        } else if ((exchange.phase() == Phase.IDLE || exchange.phase() == Phase.DISCARDING) && pending.isEmpty()) {
            ctx.read();
        }
    }

    /** X-Forwarded-Proto's value for this connection. */
    CharSequence scheme() {
        return scheme;
    }

    /** "https" on the TLS listener: where a route's HSTS header may be sent. */
    boolean overTls() {
        return scheme == ListenerScheme.HTTPS;
    }

    String clientIp() {
        return clientIp;
    }

    /** The direct peer is a trusted proxy: its X-Forwarded-* fields are kept (see {@link HeaderRewriter#request}). */
    boolean trustedPeer() {
        return trustedPeer;
    }

    /** The connection's TLS version and SNI for the access log, looked up once per connection (null: plain). */
    String[] tls() {
        if (tls == null) {
            tls = TlsFields.of(ctx.channel());
        }
        return tls;
    }

    /** Whether responses may be written to this client as the target's bytes: an HTTP/1.1 connection, not an h2 stream. */
    boolean takesBytes() {
        return codec != null;
    }

    boolean hasPending() {
        return !pending.isEmpty();
    }

    void drainPending() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            while (!pending.isEmpty() && exchange.phase() != Phase.CLOSED && !mustWait(pending.peekFirst())) {
                handle(pending.pollFirst());
            }
        } finally {
            draining = false;
        }
        afterBatch();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            exchange.clientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == Timeout.CLIENT_HEADER || evt instanceof IdleStateEvent) {
            IdleState idle = evt instanceof IdleStateEvent e ? e.state() : null;
            boolean partialHead = codec != null && codec.headInProgress();
            boolean writable = ctx.channel().isWritable();
            Timeout t = Timeout.of(idle, exchange.phase(), exchange.requestDone, writable, partialHead);
            if (t != null) {
                timedOut(t, exchange.id);
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    /** The one place where a timeout becomes an answer: its status if nothing was sent yet, else a close. */
    void timedOut(Timeout timeout, long id) {
        if (id != exchange.id || exchange.phase() == Phase.CLOSED) {
            return;
        }
        exchange.dropBackend();
        if (timeout == Timeout.FIRST_BYTE) {
            exchange.targetTimedOut(); // health hook
        }
        if (timeout.status == null || exchange.responseStarted()) {
            abort();
        } else {
            local(timeout.status, timeout.detail, timeout.closes);
        }
    }

    /** The proxy's own error answer for the current request (see {@link LocalAnswers#problem}). */
    void local(HttpResponseStatus status, String detail, boolean forceClose) {
        answers.problem(status, detail, forceClose);
    }

    LocalAnswers answers() {
        return answers;
    }

    /** The request is over: the next one, if the client kept the connection, else a close. */
    void endExchange() {
        if (!exchange.finish()) {
            releasePending();
            if (ctx.channel() instanceof Http2StreamChannel) {
                // RFC 9113 8.1: the answer is complete and the rest of the request is not wanted. NO_ERROR
                // says so; the CANCEL a plain close of the stream sends makes clients discard the answer.
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        drainPending();
    }

    void abort() {
        exchange.abandon();
        releasePending();
        ctx.close();
    }

    void releasePending() {
        Object m;
        while ((m = pending.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        abort();
    }
}
