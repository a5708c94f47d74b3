package io.edgeway.dataplane.l4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Finds a whole ClientHello in the first bytes of a connection, which may span several TLS records (RFC 8446
 * 5.1). Untrusted input: every length is checked, and anything that is not a TLS handshake record carrying a
 * ClientHello first is refused rather than passed on.
 */
final class TlsRecords {
    private static final int HANDSHAKE = 22;
    private static final int CLIENT_HELLO = 1;
    private static final int MAX_RECORD = 16384 + 2048; // TLSPlaintext limit plus TLS 1.2's expansion

    /** Not TLS, or not a ClientHello first: the connection is closed. */
    static final class NotAHello extends Exception {
        private static final long serialVersionUID = 1L;

        NotAHello(String why) {
            super(why, null, false, false); // expected on hostile input: no stack trace to fill
        }
    }

    private TlsRecords() {}

    /**
     * The ClientHello body (from client_version on) once {@code in} holds all of it, or null when more bytes
     * are needed. {@code in} is not consumed; the returned buffer is a new one the caller releases.
     */
    static ByteBuf clientHello(ByteBuf in) throws NotAHello {
        int p = in.readerIndex();
        int end = in.writerIndex();
        ByteBuf handshake = null;
        try {
            while (p + 5 <= end) {
                if (in.getUnsignedByte(p) != HANDSHAKE || in.getUnsignedByte(p + 1) != 3) {
                    throw new NotAHello("not a TLS handshake record");
                }
                int len = in.getUnsignedShort(p + 3);
                if (len == 0 || len > MAX_RECORD) {
                    throw new NotAHello("record length " + len);
                }
                if (p + 5 + len > end) {
                    break;
                }
                if (handshake == null) {
                    handshake = Unpooled.buffer(len);
                }
                handshake.writeBytes(in, p + 5, len);
                p += 5 + len;
                if (handshake.readableBytes() >= 4) {
                    if (handshake.getUnsignedByte(0) != CLIENT_HELLO) {
                        throw new NotAHello("first handshake message is not a ClientHello");
                    }
                    int helloLen = handshake.getUnsignedMedium(1);
                    if (handshake.readableBytes() >= 4 + helloLen) {
                        ByteBuf body = handshake.retainedSlice(4, helloLen);
                        return body;
                    }
                }
            }
            return null;
        } finally {
            if (handshake != null) {
                handshake.release(); // the slice returned holds its own reference
            }
        }
    }
}
