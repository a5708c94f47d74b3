package io.edgeway.dataplane.tls;

import io.netty.buffer.ByteBuf;

/**
 * The walk through a ClientHello body (RFC 8446 4.1.2) that the readers before context choice share
 * ({@link ClientHelloKeyType}, {@link ClientHelloFacts}): where the cipher suites are, and each extension in
 * turn. Parses untrusted bytes: every length is checked against the buffer, and a malformed hello stops the
 * walk (the readers then answer their safe default; the engine refuses the hello itself).
 */
final class ClientHelloLayout {
    /** Told each extension's type and where its body lies; returns false to stop the walk. */
    @FunctionalInterface
    interface ExtensionVisitor {
        boolean visit(int type, int at, int length);
    }

    private ClientHelloLayout() {}

    /**
     * The index of the cipher_suites length field, with the whole list inside the buffer, or -1.
     * {@code hello}: the body from client_version on, as Netty's SNI handler hands it over.
     */
    static int suites(ByteBuf hello) {
        int end = hello.writerIndex();
        int p = hello.readerIndex() + 34; // client_version (2), random (32)
        if (p + 1 > end) {
            return -1;
        }
        p += 1 + hello.getUnsignedByte(p); // session_id
        if (p + 2 > end || p + 2 + hello.getUnsignedShort(p) > end) {
            return -1;
        }
        return p;
    }

    /**
     * Calls {@code visitor} for each extension, in order, while it returns true; false when the hello is
     * malformed (a length reaching past the buffer or the extensions block), true otherwise.
     */
    static boolean forEachExtension(ByteBuf hello, ExtensionVisitor visitor) {
        int p = suites(hello);
        if (p < 0) {
            return false;
        }
        int end = hello.writerIndex();
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
            if (!visitor.visit(type, p, len)) {
                return true;
            }
            p += len;
        }
        return true;
    }
}
