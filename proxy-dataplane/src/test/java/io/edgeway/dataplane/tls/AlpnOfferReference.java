package io.edgeway.dataplane.tls;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Test oracle for {@link ClientHelloFacts}' ALPN answer, written apart from it on purpose: it copies the first
 * ALPN extension (RFC 7301) out of the hello and decodes its protocol names as strings, where the production
 * reader compares bytes in place. The two agreeing on thousands of mutated hellos is what the mutation test
 * checks. Semantics it must share: a declared list length is clipped to the extension, and names after the
 * first one that overruns the list are not offered.
 */
final class AlpnOfferReference {
    private static final int EXT_ALPN = 16;

    private AlpnOfferReference() {}

    /** {@code hello}: the ClientHello body from client_version on. */
    static boolean offers(ByteBuf hello, String protocol) {
        List<String> names = new ArrayList<>();
        ClientHelloLayout.forEachExtension(hello, (type, p, len) -> {
            if (type != EXT_ALPN) {
                return true;
            }
            byte[] body = new byte[len];
            hello.getBytes(p, body);
            names.addAll(protocolNames(body));
            return false; // the first ALPN extension only
        });
        return names.contains(protocol);
    }

    /** The names in an ALPN extension body, in order, up to (not including) the first malformed one. */
    static List<String> protocolNames(byte[] body) {
        List<String> names = new ArrayList<>();
        if (body.length < 2) {
            return names;
        }
        int declared = ((body[0] & 0xff) << 8) | (body[1] & 0xff);
        int end = Math.min(body.length, 2 + declared);
        int at = 2;
        while (at < end) {
            int n = body[at] & 0xff;
            if (at + 1 + n > end) {
                break;
            }
            names.add(new String(body, at + 1, n, StandardCharsets.US_ASCII));
            at += 1 + n;
        }
        return names;
    }
}
