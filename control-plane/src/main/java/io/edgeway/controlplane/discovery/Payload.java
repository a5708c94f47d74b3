package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * One ControlMessage on the wire: a small per-send head followed by the body every stream shares. Neither
 * array is copied to build it; gRPC drains both straight into the stream's transport buffers, which is the
 * one copy grpc-java's public API cannot avoid.
 */
record Payload(byte[] head, byte[] body) {
    Payload {
        requireNonNull(head, "head");
        requireNonNull(body, "body");
    }

    int length() {
        return head.length + body.length;
    }

    /** A stream gRPC can size (KnownLength) and drain in two writes (Drainable). */
    InputStream stream() {
        return new Stream();
    }

    private final class Stream extends InputStream implements KnownLength, Drainable {
        private int position; // across head then body

        @Override
        public int available() {
            return length() - position;
        }

        @Override
        public int read() {
            if (position >= length()) {
                return -1;
            }
            int p = position++;
            return (p < head.length ? head[p] : body[p - head.length]) & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            int done = 0;
            while (done < len && position < length()) {
                byte[] src = position < head.length ? head : body;
                int from = position < head.length ? position : position - head.length;
                int n = Math.min(len - done, src.length - from);
                System.arraycopy(src, from, b, off + done, n);
                done += n;
                position += n;
            }
            return done == 0 ? -1 : done;
        }

        @Override
        public int drainTo(OutputStream target) throws IOException {
            int start = position;
            if (position < head.length) {
                target.write(head, position, head.length - position);
                position = head.length;
            }
            int from = position - head.length;
            target.write(body, from, body.length - from);
            position = length();
            return position - start;
        }
    }
}
