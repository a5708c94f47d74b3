package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.http1.Token;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * Checks an upstream response head in place and copies what the client may see into a
 * {@link PassHead}, without making an object per header. It accepts only the plain case and answers
 * {@code null} for everything else, which then goes through Netty's decoder: a status below 200, 503 (which
 * may be retried), any version but HTTP/1.1, a body delimited by closing, a {@code Connection} header naming
 * other headers, and any line that is not a well-formed {@code token ":" value} (folding, bare LF, control
 * characters, duplicate framing headers). The same hop-by-hop fields as {@link HeaderRewriter#stripHopByHop}
 * are dropped, and {@code Server}.
 */
final class ResponseHead {
    private static final byte[] HTTP_1_1 = {'H', 'T', 'T', 'P', '/', '1', '.', '1', ' '};

    private ResponseHead() {}

    /** What {@link #parse} answers while the head has not all arrived; never passed on. */
    static final PassHead INCOMPLETE = new PassHead(Unpooled.EMPTY_BUFFER, 0, false, PassHead.Framing.NONE, 0);

    /**
     * The head at the reader index as a {@link PassHead}, with the reader index moved past it; or
     * {@link #INCOMPLETE} while it has not all arrived; or {@code null} for Netty's decoder, which then reports
     * what is wrong (a head longer than {@code max}, a bare LF) or handles what this path does not. One pass:
     * each line is found, checked and copied (or dropped) in turn.
     */
    static PassHead parse(ByteBuf in, int max, boolean headRequest, ByteBufAllocator alloc) {
        int start = in.readerIndex();
        int limit = Math.min(in.writerIndex(), start + max);
        int statusEnd = lineEnd(in, start, limit);
        if (statusEnd < 0) {
            return statusEnd == INCOMPLETE_LINE && limit < start + max ? INCOMPLETE : null;
        }
        int status = status(in, start, statusEnd);
        if (status < 200 || status == 503) {
            return null;
        }
        ByteBuf out = alloc.buffer(Math.min(limit - start, 1024) + 24); // + room for connection: close
        out.writeBytes(in, start, statusEnd + 2 - start);
        long length = -1;
        boolean chunked = false;
        boolean closes = false;
        int line = statusEnd + 2;
        while (true) {
            int cr = lineEnd(in, line, limit);
            if (cr < 0) {
                out.release();
                return cr == INCOMPLETE_LINE && limit < start + max ? INCOMPLETE : null;
            }
            if (cr == line) {
                in.readerIndex(cr + 2); // the blank line that ends the head
                break;
            }
            int colon = nameEnd(in, line, cr);
            if (colon < 0) {
                return refuse(out);
            }
            int from = skipSpace(in, colon + 1, cr);
            int to = trimEnd(in, from, cr);
            if (!validValue(in, from, to)) {
                return refuse(out);
            }
            boolean keep = true;
            switch (Field.of(in, line, colon)) {
                case CONTENT_LENGTH -> {
                    if (length >= 0 || (length = digits(in, from, to)) < 0) {
                        return refuse(out);
                    }
                }
                case TRANSFER_ENCODING -> {
                    if (chunked || !equalsIgnoreCase(in, from, to, "chunked")) {
                        return refuse(out);
                    }
                    chunked = true;
                }
                case CONNECTION -> {
                    int tokens = connectionTokens(in, from, to);
                    if (tokens < 0) {
                        return refuse(out);
                    }
                    closes |= tokens == 1;
                    keep = false;
                }
                case DROPPED -> keep = false;
                case OTHER -> { }
            }
            if (keep) {
                out.writeBytes(in, line, cr + 2 - line);
            }
            line = cr + 2;
        }
        PassHead.Framing framing;
        if (chunked && length >= 0) {
            in.readerIndex(start);
            return refuse(out);
        } else if (headRequest || status == 204 || status == 304 || length == 0) {
            framing = PassHead.Framing.NONE;
        } else if (chunked) {
            framing = PassHead.Framing.CHUNKED;
        } else if (length > 0) {
            framing = PassHead.Framing.LENGTH;
        } else {
            in.readerIndex(start);
            return refuse(out); // delimited by the close: Netty's path re-frames it
        }
        return new PassHead(out, status, closes, framing, length);
    }

    private static final int INCOMPLETE_LINE = -1;
    private static final int BARE_LF = -2;

    /** The index of the CR of the line starting at {@code from}, or INCOMPLETE_LINE, or BARE_LF. */
    private static int lineEnd(ByteBuf in, int from, int limit) {
        int lf = in.indexOf(from, limit, (byte) '\n');
        if (lf < 0) {
            return INCOMPLETE_LINE;
        }
        return lf > from && in.getByte(lf - 1) == '\r' ? lf - 1 : BARE_LF;
    }

    private static PassHead refuse(ByteBuf out) {
        out.release();
        return null;
    }

    /** "HTTP/1.1 NNN" then end or a space; the code, or -1. */
    private static int status(ByteBuf in, int from, int cr) {
        if (cr - from < 12 || in.getByte(cr) != '\r') {
            return -1;
        }
        for (int i = 0; i < HTTP_1_1.length; i++) {
            if (in.getByte(from + i) != HTTP_1_1[i]) {
                return -1;
            }
        }
        int code = 0;
        for (int i = from + 9; i < from + 12; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                return -1;
            }
            code = code * 10 + (b - '0');
        }
        return cr == from + 12 || in.getByte(from + 12) == ' ' ? code : -1;
    }

    /** The index of the colon after a non-empty token name, or -1. */
    private static int nameEnd(ByteBuf in, int from, int cr) {
        int i = in.forEachByte(from, cr - from, Token::isTchar);
        return i > from && in.getByte(i) == ':' ? i : -1;
    }

    private static int skipSpace(ByteBuf in, int i, int to) {
        while (i < to && (in.getByte(i) == ' ' || in.getByte(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static int trimEnd(ByteBuf in, int from, int to) {
        while (to > from && (in.getByte(to - 1) == ' ' || in.getByte(to - 1) == '\t')) {
            to--;
        }
        return to;
    }

    /** No control characters but HTAB; obs-text (bytes from 0x80) passes, as RFC 9110 allows. */
    private static boolean validValue(ByteBuf in, int from, int to) {
        return from == to || in.forEachByte(from, to - from, ResponseHead::valueByte) < 0;
    }

    private static boolean valueByte(byte b) {
        return (b >= 0x20 || b < 0 || b == '\t') && b != 0x7f; // b < 0: obs-text
    }

    /** A decimal Content-Length of at most 18 digits, or -1. */
    private static long digits(ByteBuf in, int from, int to) {
        if (from == to || to - from > 18) {
            return -1;
        }
        long n = 0;
        for (int i = from; i < to; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                return -1;
            }
            n = n * 10 + (b - '0');
        }
        return n;
    }

    /** 1 when the Connection value says close, 0 for keep-alive only, -1 when it names other headers. */
    private static int connectionTokens(ByteBuf in, int from, int to) {
        int result = 0;
        int i = from;
        while (i <= to) {
            int comma = in.indexOf(i, to, (byte) ',');
            int tokenEnd = comma < 0 ? to : comma;
            int a = skipSpace(in, i, tokenEnd);
            int b = trimEnd(in, a, tokenEnd);
            if (equalsIgnoreCase(in, a, b, "close")) {
                result = 1;
            } else if (b > a && !equalsIgnoreCase(in, a, b, "keep-alive")) {
                return -1;
            }
            i = tokenEnd + 1;
        }
        return result;
    }

    static boolean equalsIgnoreCase(ByteBuf in, int from, int to, String lower) {
        if (to - from != lower.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            if ((in.getByte(from + i) | 0x20) != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The header names the pass path acts on, recognised by length first. */
    private enum Field {
        CONTENT_LENGTH, TRANSFER_ENCODING, CONNECTION, DROPPED, OTHER;

        static Field of(ByteBuf in, int from, int to) {
            return switch (to - from) {
                case 2 -> is(in, from, to, "te") ? DROPPED : OTHER;
                case 6 -> is(in, from, to, "server") ? DROPPED : OTHER;
                case 7 -> is(in, from, to, "upgrade") || is(in, from, to, "trailer") ? DROPPED : OTHER;
                case 10 -> is(in, from, to, "connection") ? CONNECTION
                        : is(in, from, to, "keep-alive") ? DROPPED : OTHER;
                case 14 -> is(in, from, to, "content-length") ? CONTENT_LENGTH : OTHER;
                case 16 -> is(in, from, to, "proxy-connection") ? DROPPED : OTHER;
                case 17 -> is(in, from, to, "transfer-encoding") ? TRANSFER_ENCODING : OTHER;
                default -> OTHER;
            };
        }

        private static boolean is(ByteBuf in, int from, int to, String lower) {
            return equalsIgnoreCase(in, from, to, lower);
        }
    }
}
