package io.edgeway.dataplane.site;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Date;

/** RFC 9110 13: If-None-Match (weak comparison), If-Modified-Since (only without If-None-Match), If-Range. */
final class Conditionals {
    private Conditionals() {}

    static boolean notModified(HttpHeaders in, String etag, long createdAtMs) {
        String inm = in.get(HttpHeaderNames.IF_NONE_MATCH);
        if (inm != null) {
            return matchesAny(inm, etag);
        }
        String ims = in.get(HttpHeaderNames.IF_MODIFIED_SINCE);
        if (ims == null) {
            return false;
        }
        Date since = DateFormatter.parseHttpDate(ims);
        return since != null && createdAtMs / 1000 <= since.getTime() / 1000;
    }

    /** If-None-Match compares weakly: {@code W/"x"} matches {@code "x"}; {@code *} matches any file. */
    private static boolean matchesAny(String header, String etag) {
        for (String tag : header.split(",")) {
            String t = tag.trim();
            if (t.equals("*")) {
                return true;
            }
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A Range is honoured without If-Range, or when If-Range names this representation: its strong ETag
     * exactly, or the deployment's Last-Modified date exactly. Otherwise the client's copy is stale: 200 whole.
     */
    static boolean rangeApplies(String ifRange, String etag, Deployment deployment) {
        if (ifRange == null) {
            return true;
        }
        String v = ifRange.trim();
        if (v.startsWith("\"") || v.startsWith("W/")) {
            return v.equals(etag);
        }
        Date date = DateFormatter.parseHttpDate(v);
        return date != null && date.getTime() / 1000 == deployment.createdAtMs() / 1000;
    }
}
