package io.edgeway.dataplane.compress;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.AsciiString;

/** A content coding the proxy can produce. */
public enum Algorithm {
    BR("br"), GZIP("gzip");

    final AsciiString token;

    Algorithm(String token) {
        this.token = AsciiString.cached(token);
    }

    BodyEncoder encoder(ByteBufAllocator alloc, int level) {
        return this == BR ? new BrotliEncoder(alloc, level) : new GzipEncoder(alloc, level);
    }

    public static Algorithm of(String token) {
        return switch (token) {
            case "br" -> BR;
            case "gzip" -> GZIP;
            default -> null;
        };
    }
}
