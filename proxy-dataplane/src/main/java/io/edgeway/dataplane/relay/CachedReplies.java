package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.cache.CachedAnswer;
import io.edgeway.dataplane.cache.CachedResponse;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;

/**
 * What {@link CacheStep} writes to the client from a stored copy, and the conditional request it makes of a
 * stale one. Static and stateless, apart from CacheStep's bookkeeping (waits, flights, recording), so a hit
 * costs the same calls as before: no object per request beyond the answer itself.
 */
final class CachedReplies {
    private static final CharSequence[] CLIENT_VALIDATORS =
            {HttpHeaderNames.IF_NONE_MATCH, HttpHeaderNames.IF_MODIFIED_SINCE};

    private CachedReplies() {
    }

    /**
     * Answers the exchange's request with {@code entry}. {@code clientConditionals}: the client's own
     * validators when the request was made conditional for the target (null: they are still in its headers).
     */
    static void answer(Exchange exchange, ChannelHandlerContext ctx, HttpHeaders clientConditionals,
            CachedResponse entry, String status, long now) {
        HttpRequest req = exchange.request;
        HttpHeaders conditionals = clientConditionals != null ? clientConditionals : req.headers();
        // HTTP/1.1 to the client: the entry's head as pre-encoded bytes plus Age and Cache-Status, and the body as
        // it is stored (a duplicate), with no response object and no header map per hit.
        ByteBuf head = exchange.frontend.takesBytes()
                ? CachedAnswer.headBytes(ctx.alloc(), entry, conditionals, status, now) : null;
        if (head != null) {
            boolean bodyless = HttpMethod.HEAD.equals(req.method()) || !entry.body().isReadable();
            exchange.frontend.answers().respondBytes(PassHead.local(head, entry.status()),
                    bodyless ? PassBody.EMPTY_LAST : PassBody.last(entry.body().duplicate()), entry.status());
            return;
        }
        FullHttpResponse res = CachedAnswer.of(entry, req.method(), conditionals, status, exchange.keepAlive, now);
        exchange.frontend.answers().respond(res, res.status(), false);
    }

    /** The answer that replaces the target's (a refreshed copy, or a stale one for stale-if-error). */
    static FullHttpResponse replacement(Exchange exchange, HttpHeaders clientConditionals, CachedResponse entry,
            String status, long now) {
        HttpHeaders conditionals = clientConditionals != null ? clientConditionals : exchange.request.headers();
        return CachedAnswer.of(entry, exchange.request.method(), conditionals, status, exchange.keepAlive, now);
    }

    /**
     * Makes {@code req} ask the target with the stored copy's validators; returns the client's own ones, taken
     * out of the request, to be applied to the result.
     */
    static HttpHeaders conditional(HttpRequest req, CachedResponse entry) {
        HttpHeaders h = req.headers();
        HttpHeaders clientConditionals = new DefaultHttpHeaders();
        for (CharSequence name : CLIENT_VALIDATORS) {
            if (h.contains(name)) {
                clientConditionals.set(name, h.getAll(name));
                h.remove(name);
            }
        }
        if (entry.etag() != null) {
            h.set(HttpHeaderNames.IF_NONE_MATCH, entry.etag());
        }
        String lastModified = entry.headers().get(HttpHeaderNames.LAST_MODIFIED);
        if (lastModified != null) {
            h.set(HttpHeaderNames.IF_MODIFIED_SINCE, lastModified);
        }
        return clientConditionals;
    }
}
