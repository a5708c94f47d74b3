package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.UnsafeByteOperations;
import io.edgeway.proto.v1.BlobChunk;
import io.edgeway.proto.v1.ConfigDiscoveryGrpc;
import io.edgeway.proto.v1.FetchBlobRequest;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ConfigDiscovery.FetchBlob: a static site's file by its hash, in chunks of at most 1 MiB, to a caller the
 * server's identity interceptor already verified (a node certificate, like Stream). Reads hit the database,
 * so they run on a small pool, never on the event loop; the next chunk is read only when the transport can
 * take it, so a slow proxy holds at most one chunk here.
 */
public final class BlobFetch {
    static final int CHUNK_BYTES = 1 << 20;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Logger log = LoggerFactory.getLogger(BlobFetch.class);
    private static final ExecutorService READERS = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "edgeway-blob-fetch");
        t.setDaemon(true);
        return t;
    });

    /** Where blobs come from: the site store, which serves only hashes some deployment holds. */
    public interface Blobs {
        /** The blob's size, or -1 when no deployment holds a blob of that hash. */
        long size(String sha256);

        /** {@code length} bytes of the blob from {@code offset}. */
        byte[] read(String sha256, long offset, int length);
    }

    /** No blobs at all: every fetch is NOT_FOUND (a control plane built without a site store, e.g. in tests). */
    public static final Blobs NONE = new Blobs() {
        @Override
        public long size(String sha256) {
            return -1;
        }

        @Override
        public byte[] read(String sha256, long offset, int length) {
            throw new IllegalStateException("no blobs");
        }
    };

    private BlobFetch() {}

    static ServerMethodDefinition<FetchBlobRequest, BlobChunk> method(Blobs blobs) {
        requireNonNull(blobs, "blobs");
        return ServerMethodDefinition.create(ConfigDiscoveryGrpc.getFetchBlobMethod(),
                ServerCalls.asyncServerStreamingCall((request, observer) -> {
                    var out = (ServerCallStreamObserver<BlobChunk>) observer;
                    String sha256 = request.getSha256();
                    if (!SHA256.matcher(sha256).matches()) {
                        out.onError(Status.INVALID_ARGUMENT.withDescription("sha256: " + sha256.length()
                                + " characters (expected: 64 lower-case hex digits)").asRuntimeException());
                        return;
                    }
                    Sender sender = new Sender(blobs, sha256, out);
                    out.setOnReadyHandler(sender::signal);
                    out.setOnCancelHandler(() -> { });
                    sender.signal();
                }));
    }

    /** Sends one blob; {@link #signal} is safe from any thread and runs at most one pump at a time. */
    private static final class Sender implements Runnable {
        private final Blobs blobs;
        private final String sha256;
        private final ServerCallStreamObserver<BlobChunk> out;
        private final AtomicInteger pending = new AtomicInteger();
        private long size = -2; // not looked up yet
        private long offset;
        private boolean done;

        Sender(Blobs blobs, String sha256, ServerCallStreamObserver<BlobChunk> out) {
            this.blobs = blobs;
            this.sha256 = sha256;
            this.out = out;
        }

        void signal() {
            if (pending.getAndIncrement() == 0) {
                READERS.execute(this);
            }
        }

        @Override
        public void run() {
            do {
                if (!done) {
                    pump();
                }
            } while (pending.decrementAndGet() != 0);
        }

        private void pump() {
            try {
                if (size == -2) {
                    size = blobs.size(sha256);
                    if (size < 0) {
                        finish(Status.NOT_FOUND.withDescription("no deployment holds blob " + sha256));
                        return;
                    }
                }
                while (!out.isCancelled() && out.isReady()) {
                    if (offset >= size) {
                        done = true;
                        out.onCompleted();
                        return;
                    }
                    int n = (int) Math.min(CHUNK_BYTES, size - offset);
                    byte[] bytes = blobs.read(sha256, offset, n);
                    if (bytes.length != n) {
                        finish(Status.DATA_LOSS.withDescription("blob " + sha256 + " ended at " + (offset + bytes.length)));
                        return;
                    }
                    out.onNext(BlobChunk.newBuilder().setData(UnsafeByteOperations.unsafeWrap(bytes)).build());
                    offset += n;
                }
                if (out.isCancelled()) {
                    done = true;
                }
            } catch (RuntimeException e) {
                log.warn("FetchBlob {} failed at byte {}: {}", sha256, offset, e.toString());
                finish(Status.UNAVAILABLE.withDescription("could not read blob " + sha256 + "; retry"));
            }
        }

        private void finish(Status status) {
            done = true;
            out.onError(status.asRuntimeException());
        }
    }
}
