package io.edgeway.dataplane.tls;

import io.netty.buffer.ByteBuf;
import java.util.Locale;

/**
 * Reads the server name (RFC 6066 3) from a ClientHello without terminating TLS: what TLS passthrough routes
 * by. Parses untrusted bytes with {@link ClientHelloLayout}'s checked walk; a malformed hello or a name that is
 * not a plain DNS host name is refused, never guessed at.
 */
public final class ClientHelloSni {
    private static final int EXT_SERVER_NAME = 0;
    private static final int HOST_NAME = 0;

    private ClientHelloSni() {}

    /**
     * The lower-case host name the hello asks for, or null when it names none. {@code hello}: the ClientHello
     * body from client_version on.
     *
     * @throws IllegalArgumentException when the hello or its server_name extension is malformed
     */
    public static String serverName(ByteBuf hello) {
        String[] found = {null};
        boolean[] bad = {false};
        boolean walked = ClientHelloLayout.forEachExtension(hello, (type, p, len) -> {
            if (type != EXT_SERVER_NAME) {
                return true;
            }
            if (len < 2 || 2 + hello.getUnsignedShort(p) != len) {
                bad[0] = true;
                return false;
            }
            int end = p + len;
            for (int q = p + 2; q < end; ) {
                if (q + 3 > end) {
                    bad[0] = true;
                    return false;
                }
                int kind = hello.getUnsignedByte(q);
                int n = hello.getUnsignedShort(q + 1);
                if (q + 3 + n > end) {
                    bad[0] = true;
                    return false;
                }
                if (kind == HOST_NAME) {
                    found[0] = hostName(hello, q + 3, n);
                    bad[0] = found[0] == null;
                    return false;
                }
                q += 3 + n;
            }
            return false;
        });
        if (!walked || bad[0]) {
            throw new IllegalArgumentException("malformed ClientHello or server_name");
        }
        return found[0];
    }

    /** Letters, digits, '-', '.', at most 253: anything else (NUL, '/', UTF-8) is no name to route by. */
    private static String hostName(ByteBuf b, int at, int n) {
        if (n == 0 || n > 253) {
            return null;
        }
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            int ch = b.getUnsignedByte(at + i);
            boolean ok = ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '.';
            if (!ok) {
                return null;
            }
            c[i] = (char) ch;
        }
        return new String(c).toLowerCase(Locale.ROOT);
    }
}
