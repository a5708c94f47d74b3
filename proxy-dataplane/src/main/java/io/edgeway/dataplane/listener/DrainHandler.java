package io.edgeway.dataplane.listener;

import io.edgeway.dataplane.relay.PassBody;
import io.edgeway.dataplane.relay.PassHead;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Ends one keep-alive connection cleanly during a drain. It only watches messages go by (requests in,
 * responses out), so the frontend's exchange logic needs no drain awareness: a connection with nothing in
 * flight is closed at once, a busy one gets {@code Connection: close} on its next final response and is
 * closed after that response is written, never in the middle of one.
 */
public final class DrainHandler extends ChannelDuplexHandler {
    private final Drain drain;
    private int inFlight; // requests read whose final (non-1xx) response is not fully written yet
    private boolean informational;
    private boolean closing;
    private boolean done; // the last response is out: the connection is closing

    DrainHandler(Drain drain) {
        this.drain = drain;
    }

    int inFlight() {
        return inFlight;
    }

    /** Whether this connection was told to close: a connection upgrading now must not outlive the drain. */
    public boolean closing() {
        return closing || drain.closing();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done) {
            // A pipelined request behind the response that said Connection: close: the client must treat it
            // as never processed, so it must not reach a target (it may be retried elsewhere).
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest) {
            inFlight++;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt != Drain.CLOSE_WHEN_IDLE) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        closing = true;
        if (inFlight == 0) {
            done = true;
            ctx.close();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        // The final classes of the byte path first: a class test is cheap, an interface test on them is not.
        if (msg instanceof PassBody body) {
            if (body.last()) {
                promise = responseEnded(promise);
            }
        } else if (msg instanceof PassHead head) {
            informational = false; // only final responses are relayed as bytes
            if (closesAfterThisResponse()) {
                head.closeConnection();
            }
        } else {
            if (msg instanceof HttpResponse res) {
                informational = res.status().code() < 200;
                if (!informational && closesAfterThisResponse()) {
                    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                }
            }
            if (msg instanceof LastHttpContent) {
                if (informational) {
                    informational = false; // the end of a 1xx; the final response is still to come
                } else {
                    promise = responseEnded(promise);
                }
            }
        }
        ctx.write(msg, promise);
    }

    /** Whether the final response starting now is this connection's last: it was told to close, or the drain began. */
    private boolean closesAfterThisResponse() {
        closing |= drain.closing();
        return closing;
    }

    private ChannelPromise responseEnded(ChannelPromise promise) {
        inFlight = Math.max(0, inFlight - 1);
        if (!closing) {
            return promise;
        }
        done = true;
        ChannelPromise p = promise.unvoid();
        p.addListener(ChannelFutureListener.CLOSE);
        return p;
    }
}
