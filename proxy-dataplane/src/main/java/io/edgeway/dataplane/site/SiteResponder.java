package io.edgeway.dataplane.site;

import io.edgeway.dataplane.http1.Http;
import io.edgeway.dataplane.relay.PassBody;
import io.edgeway.dataplane.relay.PassHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Answers one request on a site route from the deployment of the config the request read (once): the
 * caller passes that config's {@link Sites}, so a response never mixes two deployments. GET and HEAD only;
 * validators, conditionals, single ranges, precompressed variants, SPA fallback. A small file's body is a slice
 * of its bytes held in memory ({@link SmallFiles}); a larger one goes out as a {@link DefaultFileRegion}
 * (sendfile) on plaintext HTTP/1.1, else read in chunks by a {@link ChunkedWriteHandler}, which also keeps a
 * pipelined request's answer behind this one.
 */
public final class SiteResponder {
    /** The status sent and the future of the answer's last write (close after it, if closing). */
    public record Answer(int status, ChannelFuture written) {}

    static final AsciiString IMMUTABLE = AsciiString.cached("public, max-age=31536000, immutable");
    static final AsciiString NO_CACHE = AsciiString.cached("no-cache");
    private static final AsciiString GET_HEAD = AsciiString.cached("GET, HEAD");
    static final AsciiString BYTES = AsciiString.cached("bytes");
    static final AsciiString VARY_ENCODING = AsciiString.cached("Accept-Encoding");
    private static final AsciiString X_CONTENT_TYPE_OPTIONS = AsciiString.cached("x-content-type-options");
    static final AsciiString NOSNIFF = AsciiString.cached("nosniff");
    private static final AsciiString STRICT_TRANSPORT_SECURITY = AsciiString.cached("strict-transport-security");
    private static final int CHUNK = 64 * 1024;

    private SiteResponder() {}

    /**
     * @param close whether the connection closes after this answer (adds Connection: close)
     * @param zeroCopy whether the file may be handed to the kernel (plain HTTP/1.1: no TLS, no h2 framing)
     * @param hsts the route's Strict-Transport-Security value when the request came over TLS, else null
     * @param http1Bytes whether the client's codec takes an answer as HTTP/1.1 bytes ({@link PassHead})
     */
    public static Answer answer(ChannelHandlerContext ctx, HttpRequest req, RouteSite route, Sites sites,
            boolean close, boolean zeroCopy, AsciiString hsts, boolean http1Bytes) {
        return answer(ctx, req, route, sites, close, zeroCopy, new Reply(ctx, hsts, http1Bytes));
    }

    /** Writes the answers of one request, each with the headers every answer of the route carries. */
    private record Reply(ChannelHandlerContext ctx, AsciiString hsts, boolean http1Bytes) {
        Answer send(FullHttpResponse res) {
            return new Answer(res.status().code(), ctx.writeAndFlush(common(res)));
        }

        Answer problem(HttpResponseStatus status, String detail, boolean close) {
            return send(Http.problem(ctx.alloc(), status, detail, close));
        }

        <T extends HttpResponse> T common(T res) {
            if (hsts != null) {
                res.headers().set(STRICT_TRANSPORT_SECURITY, hsts);
            }
            return res;
        }
    }

    private static Answer answer(ChannelHandlerContext ctx, HttpRequest req, RouteSite route, Sites sites,
            boolean close, boolean zeroCopy, Reply reply) {
        HttpMethod method = req.method();
        boolean head = HttpMethod.HEAD.equals(method);
        if (!head && !HttpMethod.GET.equals(method)) {
            FullHttpResponse res = Http.problem(ctx.alloc(), HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "a static site answers GET and HEAD", close);
            res.headers().set(HttpHeaderNames.ALLOW, GET_HEAD);
            return reply.send(res);
        }
        Deployment deployment = sites.get(route.name());
        String path = ManifestPaths.requestPath(req.uri());
        String key = path == null ? null : ManifestPaths.lookupKey(path);
        if (deployment == null || key == null) {
            return reply.problem(deployment == null ? HttpResponseStatus.NOT_FOUND : HttpResponseStatus.BAD_REQUEST,
                    deployment == null ? "the site has no deployment" : "the request path is not allowed", close);
        }
        // By manifest key only: a key that is not in the manifest is a 404, whatever it spells on disk.
        SiteFile file = deployment.file(key);
        if (file == null && !path.isEmpty() && !path.endsWith("/") && deployment.file(key + "/index.html") != null) {
            return redirectToDirectory(ctx, req, close, reply);
        }
        if (file == null && route.spa() && !ManifestPaths.hasExtension(path)) {
            file = deployment.file("index.html");
        }
        if (file == null) {
            return reply.problem(HttpResponseStatus.NOT_FOUND, "no such file in the site", close);
        }
        return serve(ctx, req, deployment, file, head, close, zeroCopy, reply);
    }

    private static Answer serve(ChannelHandlerContext ctx, HttpRequest req, Deployment deployment, SiteFile file,
            boolean head, boolean close, boolean zeroCopy, Reply reply) {
        HttpHeaders in = req.headers();
        int coding = AcceptEncoding.choose(in.get(HttpHeaderNames.ACCEPT_ENCODING), file.gzip() != null, file.br() != null);
        SiteFile.Blob blob = coding == AcceptEncoding.BR ? file.br() : coding == AcceptEncoding.GZIP ? file.gzip() : file.identity();
        FileHeads.Head prepared = deployment.heads().of(file, coding, deployment);
        String etag = prepared.etag();
        if (Conditionals.notModified(in, etag, deployment.createdAtMs())) {
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED,
                    Unpooled.EMPTY_BUFFER);
            validators(res.headers(), file, deployment, etag, close);
            return reply.send(res);
        }
        ByteRange range = ByteRange.WHOLE;
        String rangeHeader = in.get(HttpHeaderNames.RANGE);
        if (rangeHeader != null && !head && Conditionals.rangeApplies(in.get(HttpHeaderNames.IF_RANGE), etag, deployment)) {
            range = ByteRange.parse(rangeHeader, blob.size());
        }
        if (range == ByteRange.UNSATISFIABLE) {
            FullHttpResponse res = Http.problem(ctx.alloc(), HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                    "the range is outside the file", close);
            res.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + blob.size());
            if (file.hasVariants()) {
                res.headers().set(HttpHeaderNames.VARY, VARY_ENCODING);
            }
            return reply.send(res);
        }
        boolean partial = range != ByteRange.WHOLE;
        long start = partial ? range.start() : 0;
        long length = partial ? range.length() : blob.size();
        FileChannel channel = null;
        ByteBuf inMemory = Unpooled.EMPTY_BUFFER;
        if (!head && length > 0) {
            try {
                ByteBuf small = deployment.blobs().smallFile(blob);
                if (small != null) { // no open()/fstat()/sendfile() per request: a slice of the bytes held in memory
                    inMemory = small.slice((int) start, (int) length);
                } else {
                    channel = deployment.blobs().open(blob);
                }
            } catch (IOException e) {
                return reply.problem(HttpResponseStatus.SERVICE_UNAVAILABLE, "the file is not readable on this proxy", close);
            }
        }
        if (!partial && channel == null && reply.http1Bytes()) {
            return wholeAsBytes(ctx, prepared, inMemory, close, reply);
        }
        HttpResponseStatus status = partial ? HttpResponseStatus.PARTIAL_CONTENT : HttpResponseStatus.OK;
        HttpResponse res = channel == null
                ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, inMemory)
                : new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        HttpHeaders out = res.headers();
        validators(out, file, deployment, etag, close);
        out.set(HttpHeaderNames.CONTENT_TYPE, file.contentType())
                .set(HttpHeaderNames.ACCEPT_RANGES, BYTES)
                .set(X_CONTENT_TYPE_OPTIONS, NOSNIFF)
                .set(HttpHeaderNames.CONTENT_LENGTH, length);
        if (blob != file.identity()) {
            out.set(HttpHeaderNames.CONTENT_ENCODING, blob == file.br() ? HttpHeaderValues.BR : HttpHeaderValues.GZIP);
        }
        if (partial) {
            out.set(HttpHeaderNames.CONTENT_RANGE, "bytes " + range.start() + "-" + range.end() + "/" + blob.size());
        }
        if (channel == null) {
            return reply.send((FullHttpResponse) res);
        }
        ctx.write(reply.common(res), ctx.voidPromise());
        ChannelFuture last;
        if (zeroCopy) {
            ctx.write(new DefaultFileRegion(channel, start, length), ctx.voidPromise()); // closes the file when sent
            last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            if (ctx.pipeline().get(ChunkedWriteHandler.class) == null) {
                ctx.pipeline().addBefore(ctx.name(), "site-chunks", new ChunkedWriteHandler());
            }
            try {
                last = ctx.writeAndFlush(new HttpChunkedInput(new ChunkedNioFile(channel, start, length, CHUNK)));
            } catch (IOException e) { // the file is open: only a closed channel gets here
                closeQuietly(channel);
                return new Answer(status.code(), ctx.close());
            }
        }
        return new Answer(status.code(), last);
    }

    /**
     * A whole small file (or a HEAD) over HTTP/1.1: the variant's prepared head, HSTS when the request came over
     * TLS, and the body as a slice of the bytes in memory. Connection: close is added by the drain handler.
     */
    private static Answer wholeAsBytes(ChannelHandlerContext ctx, FileHeads.Head prepared, ByteBuf body,
            boolean close, Reply reply) {
        byte[] wire = prepared.wire200();
        ByteBuf head = ctx.alloc().directBuffer(wire.length + (reply.hsts() == null ? 0 : 64 + reply.hsts().length()));
        head.writeBytes(wire);
        if (reply.hsts() != null) {
            head.writeBytes(STRICT_TRANSPORT_SECURITY.array(), STRICT_TRANSPORT_SECURITY.arrayOffset(),
                    STRICT_TRANSPORT_SECURITY.length()).writeByte(':').writeByte(' ');
            head.writeBytes(reply.hsts().array(), reply.hsts().arrayOffset(), reply.hsts().length())
                    .writeByte('\r').writeByte('\n');
        }
        PassHead passHead = PassHead.local(head, 200);
        if (close) {
            passHead.closeConnection();
        }
        ctx.write(passHead, ctx.voidPromise());
        return new Answer(200, ctx.writeAndFlush(PassBody.last(body)));
    }

    /** The headers every answer about the file carries, 304 included (RFC 9110 15.4.5). */
    private static void validators(HttpHeaders out, SiteFile file, Deployment deployment, String etag, boolean close) {
        out.set(HttpHeaderNames.ETAG, etag)
                .set(HttpHeaderNames.LAST_MODIFIED, deployment.lastModified())
                .set(HttpHeaderNames.CACHE_CONTROL, file.immutable() ? IMMUTABLE : NO_CACHE);
        if (file.hasVariants()) {
            out.set(HttpHeaderNames.VARY, VARY_ENCODING);
        }
        if (close) {
            out.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
    }

    /** {@code /docs} when the site has {@code docs/index.html}: relative links inside it need the slash. */
    private static Answer redirectToDirectory(ChannelHandlerContext ctx, HttpRequest req, boolean close, Reply reply) {
        String uri = req.uri();
        int q = uri.indexOf('?');
        String location = q < 0 ? uri + "/" : uri.substring(0, q) + "/" + uri.substring(q);
        FullHttpResponse res = Http.problem(ctx.alloc(), HttpResponseStatus.MOVED_PERMANENTLY, "a directory", close);
        res.headers().set(HttpHeaderNames.LOCATION, location);
        return reply.send(res);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing was sent from it
        }
    }
}
