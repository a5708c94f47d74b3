package io.edgeway.controlplane.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The query of {@code GET /api/v1/explain}, checked: {@code url} (absolute http or https), {@code method}
 * (default GET), request headers as repeated {@code header=Name:value} or {@code headers} (a JSON object), and
 * {@code node}. It becomes the request head a client would send ({@link #head}), so the proxy's own request
 * validator and router see what a proxy would see. Anything a client could not send is a 400 here.
 */
record ExplainRequest(String scheme, String host, String authority, String target, String method,
                      List<Map.Entry<String, String>> headers, String node) {
    private static final Pattern METHOD = Pattern.compile("[A-Z][A-Z0-9_-]{0,31}");
    private static final int MAX_URL = 8192;
    private static final int MAX_HEADERS = 64;

    ExplainRequest {
        headers = List.copyOf(headers);
    }

    static ExplainRequest from(Context ctx) {
        String url = ctx.queryParam("url");
        if (url == null || url.isBlank()) {
            throw ApiException.badParameter("url", "url: missing (expected: an absolute URL like https://shop.example.com/api/x)");
        }
        if (url.length() > MAX_URL) {
            throw ApiException.badParameter("url", "url: " + url.length() + " characters (expected: at most " + MAX_URL + ")");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw ApiException.badParameter("url", "url: not a URL (" + e.getReason() + " at index " + e.getIndex() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw ApiException.badParameter("url", "url: scheme '" + uri.getScheme() + "' (expected: http or https)");
        }
        if (uri.getRawUserInfo() != null) {
            throw ApiException.badParameter("url", "url: has user info (expected: no user@ before the host)");
        }
        if (uri.getHost() == null || uri.getRawAuthority() == null) {
            throw ApiException.badParameter("url", "url: no host (expected: a host name or IP address after " + scheme + "://)");
        }
        if (uri.getRawFragment() != null) {
            throw ApiException.badParameter("url", "url: has a #fragment (expected: none; clients never send one)");
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        String method = ctx.queryParam("method") == null ? "GET" : ctx.queryParam("method");
        if (!METHOD.matcher(method).matches()) {
            throw ApiException.badParameter("method", "method: '" + abbreviate(method)
                    + "' (expected: an upper-case method name like GET or POST)");
        }
        List<Map.Entry<String, String>> headers = headers(ctx);
        String node = ctx.queryParam("node");
        return new ExplainRequest(scheme, uri.getHost().toLowerCase(Locale.ROOT), uri.getRawAuthority(), target, method,
                headers, node == null || node.isBlank() ? null : node);
    }

    /** The head a client would send: origin-form target, Host from the URL's authority, then the given headers. */
    HttpRequest head() {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), target,
                new DefaultHttpHeaders(true));
        req.headers().set(HttpHeaderNames.HOST, authority);
        headers.forEach(h -> req.headers().add(h.getKey(), h.getValue()));
        return req;
    }

    boolean https() {
        return scheme.equals("https");
    }

    private static List<Map.Entry<String, String>> headers(Context ctx) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (String h : ctx.queryParams("header")) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw ApiException.badParameter("header", "header: '" + abbreviate(h) + "' (expected: Name:value)");
            }
            out.add(header("header", h.substring(0, colon), h.substring(colon + 1).strip()));
        }
        String json = ctx.queryParam("headers");
        if (json != null && !json.isBlank()) {
            JsonNode object;
            try {
                object = RequestJson.MAPPER.readTree(json);
            } catch (JsonProcessingException e) {
                throw ApiException.badParameter("headers", "headers: not JSON (expected: an object like {\"X-User\":\"a\"})");
            }
            if (object == null || !object.isObject()) {
                throw ApiException.badParameter("headers", "headers: not an object (expected: an object like {\"X-User\":\"a\"})");
            }
            for (var it = object.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isTextual()) {
                    throw ApiException.badParameter("headers", "headers." + e.getKey() + ": not a string");
                }
                out.add(header("headers", e.getKey(), e.getValue().asText()));
            }
        }
        if (out.size() > MAX_HEADERS) {
            throw ApiException.badParameter("header", "header: " + out.size() + " headers (expected: at most " + MAX_HEADERS + ")");
        }
        return out;
    }

    /** A header a client could send: a token name, a value of visible characters, spaces and tabs, and not Host. */
    private static Map.Entry<String, String> header(String param, String name, String value) {
        if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}")) {
            throw ApiException.badParameter(param, param + ": name '" + abbreviate(name) + "' (expected: a header name token)");
        }
        if (!value.matches("[\\x20-\\x7e\\t]{0,8192}")) {
            throw ApiException.badParameter(param, param + ": " + name
                    + " has a character a header value cannot hold (expected: visible ASCII, spaces and tabs)");
        }
        if (name.equalsIgnoreCase("host")) {
            throw ApiException.badParameter(param, param + ": Host comes from the url (expected: no Host header)");
        }
        return Map.entry(name, value);
    }

    private static String abbreviate(String s) {
        return s.length() > 64 ? s.substring(0, 61) + "..." : s;
    }
}
