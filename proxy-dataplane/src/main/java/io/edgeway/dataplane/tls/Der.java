package io.edgeway.dataplane.tls;

/**
 * A strict DER reader over a range of one byte array, reading in place: no element is copied or made an object.
 * Why not BouncyCastle's ASN.1 (which {@link NewCertificateCheck} used): it builds an object per element, several
 * KiB per certificate, when checking a new certificate needs a handful of fields, and 10,000 of them at once made
 * the apply's garbage (and its collections) and a large body of code for the JIT to compile first.
 *
 * <p>Strict means: low tag numbers only, definite lengths in their shortest form, every element inside its parent,
 * and (with {@link #checkAll}) every constructed element exactly a run of elements, and the universal primitive
 * types that BouncyCastle validates when it parses (INTEGER, BOOLEAN, NULL, OBJECT IDENTIFIER, BIT STRING, the
 * times, BMPString) valid the same way. Anything else throws {@link Malformed}, which the caller reports without
 * quoting the input.
 */
final class Der {
    static final int BOOLEAN = 0x01, INTEGER = 0x02, BIT_STRING = 0x03, OCTET_STRING = 0x04, NULL = 0x05, OID = 0x06;
    static final int SEQUENCE = 0x30, SET = 0x31;
    /** Nesting deeper than this is refused: a certificate needs fewer than ten levels, recursion must stay bounded. */
    private static final int MAX_DEPTH = 32;

    /** The input is not the DER expected. Carries no text of the input, and no stack (it is an answer, not a bug). */
    static final class Malformed extends RuntimeException {
        Malformed() {
            super("malformed DER", null, false, false);
        }
    }

    private static final Malformed MALFORMED = new Malformed();

    private final byte[] bytes;
    private final int end;
    private int pos;
    private int tag = -1, from, to; // the element last read

    Der(byte[] bytes, int from, int to) {
        this.bytes = bytes;
        this.pos = from;
        this.end = to;
    }

    /** A reader of the one element {@code bytes} must be, with {@code expected} as its tag, and nothing after it. */
    static Der one(byte[] bytes, int expected) {
        Der d = new Der(bytes, 0, bytes.length).expect(expected);
        d.end();
        return d;
    }

    /** Reads the next element's header; false at the end of the range. Its value is [{@link #from}, {@link #to}). */
    boolean next() {
        if (pos >= end) {
            return false;
        }
        long h = header(bytes, pos, end);
        tag = tag(h);
        from = from(h);
        to = to(h);
        pos = to;
        return true;
    }

    /**
     * The header of the element at {@code pos} (before {@code end}), packed so that walking a whole certificate
     * allocates nothing: tag in bits 56-63, value start in 28-55, value end in 0-27 (a DER of 256 MiB is refused).
     */
    private static long header(byte[] bytes, int pos, int end) {
        int t = bytes[pos] & 0xff;
        if ((t & 0x1f) == 0x1f || pos + 1 >= end || end >= 1 << 28) {
            throw MALFORMED; // a high tag number (X.509 has none), no length byte, or absurdly large
        }
        int p = pos + 1;
        int first = bytes[p++] & 0xff;
        int length;
        if (first < 0x80) {
            length = first;
        } else {
            int n = first & 0x7f;
            if (n == 0 || n > 3 || p + n > end || bytes[p] == 0) {
                throw MALFORMED; // indefinite (BER), over 16 MiB, past the end, or a leading zero byte
            }
            length = 0;
            for (int i = 0; i < n; i++) {
                length = (length << 8) | (bytes[p++] & 0xff);
            }
            if (length < 0x80) {
                throw MALFORMED; // the long form for what the short form says
            }
        }
        if (length > end - p) {
            throw MALFORMED;
        }
        return ((long) t << 56) | ((long) p << 28) | (p + length);
    }

    private static int tag(long header) {
        return (int) (header >>> 56);
    }

    private static int from(long header) {
        return (int) (header >>> 28) & 0xfffffff;
    }

    private static int to(long header) {
        return (int) header & 0xfffffff;
    }

    /** Reads the next element, which must be there and have {@code expected} as its tag. */
    Der expect(int expected) {
        if (!next() || tag != expected) {
            throw MALFORMED;
        }
        return this;
    }

    /** Reads the next element if it has tag {@code optional}; else reads nothing. */
    boolean optional(int optional) {
        if (pos < end && (bytes[pos] & 0xff) == optional) {
            next();
            return true;
        }
        return false;
    }

    /** The range must hold nothing more. */
    void end() {
        if (pos != end) {
            throw MALFORMED;
        }
    }

    /** A reader of the last element's value (its children, for a constructed one). */
    Der inside() {
        return new Der(bytes, from, to);
    }

    int tag() {
        return tag;
    }

    int from() {
        return from;
    }

    int to() {
        return to;
    }

    byte[] bytes() {
        return bytes;
    }

    /** Whether the last element's value is exactly {@code expected}. */
    boolean valueIs(byte[] expected) {
        return java.util.Arrays.equals(bytes, from, to, expected, 0, expected.length);
    }

    /** Checks every element of the rest of the range, to any depth (see the class comment); reads them all. */
    void checkAll() {
        checkAll(bytes, pos, end, 0);
        pos = end;
    }

    private static void checkAll(byte[] bytes, int pos, int end, int depth) {
        if (depth > MAX_DEPTH) {
            throw MALFORMED;
        }
        while (pos < end) {
            long h = header(bytes, pos, end);
            int tag = tag(h);
            if ((tag & 0x20) != 0) {
                if ((tag & 0xc0) == 0 && tag != SEQUENCE && tag != SET) {
                    throw MALFORMED; // a constructed string (BER), or a universal type that is never constructed
                }
                checkAll(bytes, from(h), to(h), depth + 1);
            } else if (tag < 0x20 && !valid(bytes, tag, from(h), to(h))) {
                throw MALFORMED;
            }
            pos = to(h);
        }
    }

    /** Checks the last element's value as the universal primitive {@code type} (for an IMPLICIT tag). */
    void checkAs(int type) {
        if (!valid(bytes, type, from, to)) {
            throw MALFORMED;
        }
    }

    /** What BouncyCastle refuses when it parses a universal primitive (an ANY field of a name holds any of them). */
    private static boolean valid(byte[] bytes, int type, int from, int to) {
        int length = to - from;
        return switch (type) {
            case BOOLEAN -> length == 1;
            case NULL -> length == 0;
            case INTEGER, 0x0a -> length > 0 && (length == 1 || !redundantSignByte(bytes[from], bytes[from + 1])); // and ENUMERATED
            case OID, 0x0d -> validSubidentifiers(bytes, from, to); // and RELATIVE-OID
            case BIT_STRING -> length > 0 && (bytes[from] & 0xff) <= 7 && (length > 1 ? (bytes[to - 1] & ((1 << bytes[from]) - 1)) == 0 : bytes[from] == 0);
            case 0x17 -> length == 13 && validTime(bytes, from, to, from);     // UTCTime YYMMDDHHMMSSZ, the one form RFC 5280 allows
            case 0x18 -> length == 15 && validTime(bytes, from, to, from + 2); // GeneralizedTime YYYYMMDDHHMMSSZ, likewise
            case 0x1e -> length % 2 == 0; // BMPString
            case OCTET_STRING, 0x07, 0x0c, 0x12, 0x13, 0x14, 0x15, 0x16, 0x19, 0x1a, 0x1b, 0x1c -> true;
            default -> false; // REAL, EMBEDDED PDV, TIME and the rest: no certificate holds them
        };
    }

    /** From {@code at}: YYMMDDHHMMSS (digits, each field in its range) then Z, ending the value. */
    private static boolean validTime(byte[] bytes, int from, int to, int at) {
        for (int i = from; i < to - 1; i++) {
            if (bytes[i] < '0' || bytes[i] > '9') {
                return false;
            }
        }
        int month = twoDigits(bytes, at + 2), day = twoDigits(bytes, at + 4);
        return bytes[to - 1] == 'Z' && month >= 1 && month <= 12 && day >= 1 && day <= 31
                && twoDigits(bytes, at + 6) < 24 && twoDigits(bytes, at + 8) < 60 && twoDigits(bytes, at + 10) < 60;
    }

    private static int twoDigits(byte[] bytes, int at) {
        return (bytes[at] - '0') * 10 + bytes[at + 1] - '0';
    }

    private static boolean redundantSignByte(int b0, int b1) {
        return (b0 == 0 && b1 >= 0) || (b0 == -1 && b1 < 0);
    }

    /** Not empty, ends a subidentifier at the last byte, and no subidentifier starts with 0x80 (a leading zero). */
    private static boolean validSubidentifiers(byte[] bytes, int from, int to) {
        if (to == from) {
            return false;
        }
        boolean start = true;
        for (int i = from; i < to; i++) {
            if (start && (bytes[i] & 0xff) == 0x80) {
                return false;
            }
            start = (bytes[i] & 0x80) == 0;
        }
        return start;
    }
}
