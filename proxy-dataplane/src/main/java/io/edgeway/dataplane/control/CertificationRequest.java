package io.edgeway.dataplane.control;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import javax.security.auth.x500.X500Principal;

/**
 * A PKCS#10 certification request (RFC 2986) for an EC key, signed with ECDSA-SHA256, in DER, with the JDK
 * alone: BouncyCastle's builder did the same, but loading its signed jars cost a joining proxy more CPU
 * than the rest of the join, on the path to its first request.
 */
final class CertificationRequest {
    /** AlgorithmIdentifier ecdsa-with-SHA256 (1.2.840.10045.4.3.2), parameters absent (RFC 5758). */
    private static final byte[] ECDSA_WITH_SHA256 = {0x30, 0x0a, 0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};
    private static final byte[] VERSION_1 = {0x02, 0x01, 0x00};
    private static final byte[] NO_ATTRIBUTES = {(byte) 0xa0, 0x00};

    private CertificationRequest() {}

    /** The request for {@code pair} with subject {@code subject} (e.g. "CN=node-1"). */
    static byte[] der(String subject, KeyPair pair) {
        byte[] info = tlv(0x30, VERSION_1, new X500Principal(subject).getEncoded(), pair.getPublic().getEncoded(), NO_ATTRIBUTES);
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(pair.getPrivate());
            s.update(info);
            byte[] signature = s.sign(); // DER Ecdsa-Sig-Value, as the BIT STRING holds it
            byte[] bits = new byte[signature.length + 1]; // leading 0: no unused bits
            System.arraycopy(signature, 0, bits, 1, signature.length);
            return tlv(0x30, info, ECDSA_WITH_SHA256, tlv(0x03, bits));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not sign the certification request", e);
        }
    }

    /** One DER element: tag, definite length (short or long form), the parts' bytes. */
    private static byte[] tlv(int tag, byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(length + 6);
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
