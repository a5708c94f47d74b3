package io.edgeway.dataplane.tls;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Reads from a ClientHello whether the client offers one ALPN protocol (RFC 7301), before a context is chosen:
 * a TLS-ALPN-01 validation (RFC 8737) offers "acme-tls/1" and must get the challenge certificate instead of the
 * name's own. Parses untrusted bytes: every length is checked against the buffer; anything malformed answers no.
 */
final class ClientHelloAlpn {
    private static final int EXT_ALPN = 16;

    private ClientHelloAlpn() {}

    /** {@code hello}: the ClientHello body from client_version on, as Netty's SNI handler hands it over. */
    static boolean offers(ByteBuf hello, String protocol) {
        byte[] wanted = protocol.getBytes(StandardCharsets.US_ASCII);
        int end = hello.writerIndex();
        int p = hello.readerIndex() + 34; // client_version (2), random (32)
        if (p + 1 > end) {
            return false;
        }
        p += 1 + hello.getUnsignedByte(p); // session_id
        if (p + 2 > end) {
            return false;
        }
        p += 2 + hello.getUnsignedShort(p); // cipher_suites
        if (p + 1 > end) {
            return false;
        }
        p += 1 + hello.getUnsignedByte(p); // compression_methods
        if (p + 2 > end) {
            return false;
        }
        int extEnd = Math.min(end, p + 2 + hello.getUnsignedShort(p));
        p += 2;
        while (p + 4 <= extEnd) {
            int type = hello.getUnsignedShort(p);
            int len = hello.getUnsignedShort(p + 2);
            p += 4;
            if (p + len > extEnd) {
                return false;
            }
            if (type == EXT_ALPN && len >= 2) {
                int listEnd = Math.min(p + len, p + 2 + hello.getUnsignedShort(p));
                for (int q = p + 2; q < listEnd; ) {
                    int n = hello.getUnsignedByte(q);
                    if (q + 1 + n > listEnd) {
                        return false;
                    }
                    if (n == wanted.length && equal(hello, q + 1, wanted)) {
                        return true;
                    }
                    q += 1 + n;
                }
                return false;
            }
            p += len;
        }
        return false;
    }

    private static boolean equal(ByteBuf b, int at, byte[] wanted) {
        for (int i = 0; i < wanted.length; i++) {
            if (b.getByte(at + i) != wanted[i]) {
                return false;
            }
        }
        return true;
    }
}
