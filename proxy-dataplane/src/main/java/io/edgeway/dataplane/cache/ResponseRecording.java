package io.edgeway.dataplane.cache;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A response being copied for the cache while it streams to the client. The copy never grows past the
 * route's {@code max_object_bytes}; a response that would is dropped from the recording and streams on. A
 * response whose body did not match its Content-Length is not stored: its head lied, or it was cut.
 */
public final class ResponseRecording {
    private final RouteCache policy;
    private final String refusal;
    private final int status;
    private final long declaredLength;
    private final List<String> vary;
    private final Set<String> tags;
    private HttpHeaders headers;
    private byte[] body;
    private int size;

    private ResponseRecording(RouteCache policy, String refusal, int status, long declaredLength, List<String> vary,
            Set<String> tags) {
        this.policy = policy;
        this.refusal = refusal;
        this.status = status;
        this.declaredLength = declaredLength;
        this.vary = vary;
        this.tags = tags;
        this.body = new byte[(int) Math.max(0, Math.min(declaredLength, policy.maxObjectBytes()))];
    }

    /** For the target's head as it arrived; see {@link #storable()}. */
    public static ResponseRecording start(RouteCache policy, HttpRequest req, HttpResponse res, Lookup lookup,
            long nowMs) {
        String refusal = Storability.refusal(policy, req, res, nowMs);
        long length = HttpUtil.isTransferEncodingChunked(res) ? -1 : HttpUtil.getContentLength(res, -1L);
        return new ResponseRecording(policy, refusal, res.status().code(), length,
                Storability.varyNames(res.headers()), Storability.tags(res.headers()));
    }

    public boolean storable() {
        return refusal == null;
    }

    /** Why the response is not stored (a Cache-Status detail token), null when it may be. */
    public String refusal() {
        return refusal;
    }

    /** The fields to store: the client's head minus what belongs to one connection or one framing. */
    public void head(HttpHeaders relayed) {
        HttpHeaders h = new DefaultHttpHeaders().set(relayed);
        h.remove(HttpHeaderNames.CONNECTION);
        h.remove(HttpHeaderNames.KEEP_ALIVE);
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        h.remove(HttpHeaderNames.CONTENT_LENGTH);
        h.remove(CachedAnswer.CACHE_STATUS);
        headers = h;
    }

    /** Copies {@code content}; false when the response outgrew the bound (the recording is then void). */
    public boolean append(ByteBuf content) {
        int n = content.readableBytes();
        if ((long) size + n > policy.maxObjectBytes()) {
            body = null;
            return false;
        }
        if (size + n > body.length) {
            body = Arrays.copyOf(body, (int) Math.min(policy.maxObjectBytes(), Math.max(size + n, body.length * 2L)));
        }
        content.getBytes(content.readerIndex(), body, size, n);
        size += n;
        return true;
    }

    /** Stores the recorded response for the lookup's URL, unless its length contradicts its head. */
    public void storeInto(ResponseCache cache, Lookup lookup, HttpHeaders requestHeaders, long nowMs) {
        if (headers == null || body == null || (declaredLength >= 0 && size != declaredLength)) {
            return;
        }
        CachedResponse entry = Storability.entry(lookup.primaryKey(), status, headers, StoredBody.of(body, size), nowMs,
                policy, vary, tags);
        cache.store(lookup.primaryKey(), requestHeaders, entry);
    }
}
