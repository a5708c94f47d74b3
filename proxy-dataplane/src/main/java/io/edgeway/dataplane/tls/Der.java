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
        int t = bytes[pos] & 0xff;
        if ((t & 0x1f) == 0x1f || pos + 1 >= end) {
            throw MALFORMED; // a high tag number (X.509 has none), or no length byte
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
        tag = t;
        from = p;
        to = p + length;
        pos = to;
        return true;
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
        checkAll(0);
    }

    private void checkAll(int depth) {
        if (depth > MAX_DEPTH) {
            throw MALFORMED;
        }
        while (next()) {
            if ((tag & 0x20) != 0) {
                if ((tag & 0xc0) == 0 && tag != SEQUENCE && tag != SET) {
                    throw MALFORMED; // a constructed string (BER), or a universal type that is never constructed
                }
                inside().checkAll(depth + 1);
            } else if (tag < 0x20) {
                checkPrimitive();
            }
        }
    }

    /** Checks the last element's value as the universal primitive {@code type} (for an IMPLICIT tag). */
    void checkAs(int type) {
        if (!valid(type)) {
            throw MALFORMED;
        }
    }

    /** What BouncyCastle refuses when it parses a universal primitive (an ANY field of a name holds any of them). */
    private void checkPrimitive() {
        checkAs(tag);
    }

    private boolean valid(int type) {
        int length = to - from;
        return switch (type) {
            case BOOLEAN -> length == 1;
            case NULL -> length == 0;
            case INTEGER, 0x0a -> length > 0 && (length == 1 || !redundantSignByte()); // and ENUMERATED
            case OID, 0x0d -> validSubidentifiers(); // and RELATIVE-OID
            case BIT_STRING -> length > 0 && (bytes[from] & 0xff) <= 7 && (length > 1 ? (bytes[to - 1] & ((1 << bytes[from]) - 1)) == 0 : bytes[from] == 0);
            case 0x17 -> length == 13 && validTime(from);     // UTCTime YYMMDDHHMMSSZ, the one form RFC 5280 allows
            case 0x18 -> length == 15 && validTime(from + 2); // GeneralizedTime YYYYMMDDHHMMSSZ, likewise
            case 0x1e -> length % 2 == 0; // BMPString
            case OCTET_STRING, 0x07, 0x0c, 0x12, 0x13, 0x14, 0x15, 0x16, 0x19, 0x1a, 0x1b, 0x1c -> true;
            default -> false; // REAL, EMBEDDED PDV, TIME and the rest: no certificate holds them
        };
    }

    /** From {@code at}: YYMMDDHHMMSS (digits, each field in its range) then Z, ending the value. */
    private boolean validTime(int at) {
        for (int i = from; i < to - 1; i++) {
            if (bytes[i] < '0' || bytes[i] > '9') {
                return false;
            }
        }
        int month = twoDigits(at + 2), day = twoDigits(at + 4);
        return bytes[to - 1] == 'Z' && month >= 1 && month <= 12 && day >= 1 && day <= 31
                && twoDigits(at + 6) < 24 && twoDigits(at + 8) < 60 && twoDigits(at + 10) < 60;
    }

    private int twoDigits(int at) {
        return (bytes[at] - '0') * 10 + bytes[at + 1] - '0';
    }

    private boolean redundantSignByte() {
        int b0 = bytes[from], b1 = bytes[from + 1];
        return (b0 == 0 && b1 >= 0) || (b0 == -1 && b1 < 0);
    }

    /** Not empty, ends a subidentifier at the last byte, and no subidentifier starts with 0x80 (a leading zero). */
    private boolean validSubidentifiers() {
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
