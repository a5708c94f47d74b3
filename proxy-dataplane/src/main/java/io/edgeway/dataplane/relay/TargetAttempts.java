package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.balancing.TargetGroup;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;

/**
 * Getting an {@link Exchange}'s request onto a target connection: a pooled one or a new one, attaching the
 * request to it, and the one fail-over or replay when a connect or a connection fails before any response
 * byte. Static steps over the exchange's fields, not an object of their own: the exchange is reused for every
 * request of a connection and the hot path allocates nothing per request for this split. All of it runs on
 * the client's event loop; each state change is still an assignment of {@link Exchange#phase}.
 */
final class TargetAttempts {
    private TargetAttempts() {
    }

    /** To the lease's target, on a pooled connection if one is idle. */
    static void send(Exchange x) {
        x.measured.attempts++;
        Channel pooled = x.loop().pool().poll(x.lease.target().poolKey());
        x.retries.sending(pooled != null);
        if (pooled != null) {
            attach(x, pooled);
        } else {
            connect(x);
        }
    }

    /** → CONNECTING: a new connection (or h2c stream) to the lease's target. */
    static void connect(Exchange x) {
        x.phase = Phase.CONNECTING;
        x.measured.connecting();
        long exchange = x.id;
        Endpoint target = x.lease.target();
        LoopResources loop = x.loop();
        if (x.route.upstream().protocol() == TargetGroup.Protocol.H2C) { // a stream on the loop's shared connection
            loop.openStream(target, x.route.timeouts().connectMs())
                    .addListener((Future<Channel> f) -> connected(x, exchange, f.isSuccess() ? f.getNow() : null));
            return;
        }
        loop.connect(target, x.route.timeouts().connectMs())
                .addListener((ChannelFuture f) -> connected(x, exchange, f.isSuccess() ? f.channel() : null));
    }

    /** {@code ch} is the new connection or h2c stream, null when it could not be opened. */
    private static void connected(Exchange x, long exchange, Channel ch) {
        if (exchange != x.id || x.phase != Phase.CONNECTING) {
            if (ch != null) {
                ch.close();
            }
            return;
        }
        if (ch == null) {
            x.lease.targetFailed();
            if (retry(x, true)) {
                return;
            }
            x.frontend.local(HttpResponseStatus.BAD_GATEWAY, "could not connect to the target", false);
        } else {
            x.measured.connected(x.route);
            attach(x, ch);
        }
        x.frontend.drainPending();
    }

    /** → AWAITING_RESPONSE: the request goes out on {@code ch}. */
    private static void attach(Exchange x, Channel ch) {
        BackendHandler backend = BackendHandler.of(ch);
        x.backend = backend;
        backend.lease(x);
        // The client takes the response as the target's bytes (UpstreamDecoder) only with HTTP/1.1 on both sides,
        // and not with HSTS to add, for a cached route (the cache reads the head and copies the body), or for a route
        // that edits or compresses responses: those work on the head object.
        boolean bytesToClient = x.hsts == null && !x.cache.active()
                && (x.route.actions() == null || !x.route.actions().editsResponse()) && x.frontend.takesBytes()
                && HttpVersion.HTTP_1_1.equals(x.request.protocolVersion());
        backend.expect(x.request.method(), bytesToClient);
        x.phase = Phase.AWAITING_RESPONSE;
        x.measured.sent();
        // Void promises toward the target: nothing waits on these writes, and a failed one surfaces as an
        // exception that closes the connection, which the exchange hears about in upstreamClosed.
        TargetHost.fill(x.request, x.lease.target(), x.forwarded);
        backend.forwarded(x.request, x.forwarded);
        ch.write(x.request, ch.voidPromise());
        if (x.requestDone) { // a retry: the original request had no body
            ch.write(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
            x.timers.startFirstByte(x.route.timeouts().firstByteMs());
        }
        ch.read();
    }

    /** The target connection closed under the request (see {@link Exchange#upstreamClosed}). */
    static void closed(Exchange x) {
        if (x.phase == Phase.DROPPING_503) { // closed while we dropped its 503: the retry is already granted
            x.resendTo(x.lease.unpark());
            return;
        }
        if (!x.responseStarted() && x.retries.claimReplay(x.request, x.requestDone)) {
            // A pooled connection the target closed just as we reused it, and nothing came back: → CONNECTING,
            // the same request once more on a fresh connection.
            x.timers.cancel();
            x.measured.attempts++;
            connect(x);
            return;
        }
        if (!x.responseStarted() && x.lease.target() != null) {
            // Reset or closed before any response byte: the target's failure; a safe request goes elsewhere.
            x.lease.targetFailed();
            x.timers.cancel();
            if (retry(x, false)) {
                return;
            }
            x.frontend.local(HttpResponseStatus.BAD_GATEWAY,
                    "the target closed the connection before the response was complete", false);
            return;
        }
        x.failUpstream("the target closed the connection before the response was complete");
    }

    /** One fail-over to another target (→ CONNECTING or AWAITING_RESPONSE), when {@link Retries} allows it. */
    private static boolean retry(Exchange x, boolean nothingSent) {
        Endpoint next = x.retries.failOverTarget(x.request, x.frontend.clientIp(), nothingSent);
        if (next == null) {
            return false;
        }
        x.resendTo(next);
        return true;
    }
}
