package io.edgeway.dataplane.relay;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;

/**
 * Follows the framing of a chunked body that is relayed as bytes (RFC 9112 section 7.1), so the proxy
 * knows where the response ends without decoding it: chunk sizes, the CRLF after each chunk's data, the
 * last chunk and its trailer section. Bytes may arrive split anywhere; the state carries over.
 */
final class ChunkedScanner {
    private enum State { SIZE, EXTENSION, SIZE_LF, DATA, DATA_CR, DATA_LF, TRAILER_START, TRAILER_LINE, TRAILER_LF, END_LF, DONE }

    private static final int MAX_SIZE_DIGITS = 15; // below 2^60: no overflow
    private final int maxLine;
    private final int maxTrailers;
    private State state = State.SIZE;
    private long remaining;
    private int digits;
    private int lineBytes;
    private int trailerBytes;

    ChunkedScanner(int maxLine, int maxTrailers) {
        this.maxLine = maxLine;
        this.maxTrailers = maxTrailers;
    }

    void reset() {
        state = State.SIZE;
        remaining = 0;
        digits = 0;
        lineBytes = 0;
        trailerBytes = 0;
    }

    boolean done() {
        return state == State.DONE;
    }

    /**
     * How many of the readable bytes belong to the body, from the reader index (all of them, unless the
     * body ends before); the reader index does not move. Throws on broken framing.
     */
    int scan(ByteBuf in) {
        int i = in.readerIndex();
        int end = in.writerIndex();
        while (i < end && state != State.DONE) {
            if (state == State.DATA) {
                int n = (int) Math.min(remaining, end - i);
                i += n;
                remaining -= n;
                if (remaining == 0) {
                    state = State.DATA_CR;
                }
                continue;
            }
            step(in.getByte(i++));
        }
        return i - in.readerIndex();
    }

    private void step(byte b) {
        switch (state) {
            case SIZE -> size(b);
            case EXTENSION -> {
                if (b == '\r') {
                    state = State.SIZE_LF;
                } else if ((b < 0x20 && b != '\t') || b == 0x7f) {
                    throw broken("control character in a chunk extension");
                }
                line();
            }
            case SIZE_LF -> {
                expect(b, '\n');
                state = remaining == 0 ? State.TRAILER_START : State.DATA;
                digits = 0;
                lineBytes = 0;
            }
            case DATA_CR -> {
                expect(b, '\r');
                state = State.DATA_LF;
            }
            case DATA_LF -> {
                expect(b, '\n');
                state = State.SIZE;
            }
            case TRAILER_START -> {
                trailer();
                state = b == '\r' ? State.END_LF : State.TRAILER_LINE;
            }
            case TRAILER_LINE -> {
                trailer();
                if (b == '\r') {
                    state = State.TRAILER_LF;
                } else if (b == '\n') {
                    throw broken("bare LF in a trailer");
                }
            }
            case TRAILER_LF -> {
                trailer();
                expect(b, '\n');
                state = State.TRAILER_START;
            }
            case END_LF -> {
                expect(b, '\n');
                state = State.DONE;
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    private void size(byte b) {
        int hex = Character.digit(b, 16);
        if (hex >= 0) {
            if (++digits > MAX_SIZE_DIGITS) {
                throw broken("chunk size too large");
            }
            remaining = remaining * 16 + hex;
            line();
        } else if (digits > 0 && (b == ';' || b == ' ' || b == '\t')) {
            state = State.EXTENSION;
            line();
        } else if (digits > 0 && b == '\r') {
            state = State.SIZE_LF;
        } else {
            throw broken("invalid chunk size");
        }
    }

    private void line() {
        if (++lineBytes > maxLine) {
            throw broken("chunk size line too long");
        }
    }

    private void trailer() {
        if (++trailerBytes > maxTrailers) {
            throw broken("trailer section too large");
        }
    }

    private static void expect(byte b, char wanted) {
        if (b != wanted) {
            throw broken("bad chunk framing");
        }
    }

    private static CorruptedFrameException broken(String why) {
        return new CorruptedFrameException(why);
    }
}
