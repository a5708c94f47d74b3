package io.edgeway.dataplane.site;

import static java.util.Objects.requireNonNull;

import io.edgeway.proto.v1.BlobChunk;
import io.edgeway.proto.v1.ConfigDiscoveryGrpc;
import io.edgeway.proto.v1.FetchBlobRequest;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Fetches the blobs a snapshot names and this proxy lacks, over the control channel (FetchBlob), at most
 * {@link #PARALLEL} at a time, on its own threads (never an event loop, never the config client's thread).
 * Each blob streams into a 0600 temp file while its SHA-256 is computed; only a blob whose hash and size
 * match the manifest is renamed to its hash. A server that sends more bytes than the manifest says is cut off,
 * so a bad or hostile control plane cannot fill the disk through one blob.
 */
public final class BlobFetcher implements AutoCloseable {
    static final int PARALLEL = 4;
    static final long DEADLINE_MINUTES = 10;

    private final SiteBlobs blobs;
    private final ExecutorService callbacks = Executors.newFixedThreadPool(PARALLEL, r -> {
        Thread t = new Thread(r, "edgeway-site-fetch");
        t.setDaemon(true);
        return t;
    });

    public BlobFetcher(SiteBlobs blobs) {
        this.blobs = requireNonNull(blobs, "blobs");
    }

    /**
     * Starts fetching {@code wanted} (hash → size); {@code done} gets, once, the failures (hash → reason), empty
     * when every blob is on disk. Not called after {@link Fetch#cancel}.
     */
    public Fetch fetch(ConfigDiscoveryGrpc.ConfigDiscoveryStub stub, Map<String, Long> wanted,
            Consumer<Map<String, String>> done) {
        Fetch f = new Fetch(stub.withExecutor(callbacks), wanted, done);
        f.startMore();
        return f;
    }

    /** One snapshot's fetches; a newer snapshot cancels it (the blobs already stored stay for the next one). */
    public final class Fetch {
        private final ConfigDiscoveryGrpc.ConfigDiscoveryStub stub;
        private final ArrayDeque<Map.Entry<String, Long>> queue;
        private final Consumer<Map<String, String>> done;
        private final Map<String, String> failures = new LinkedHashMap<>();
        private final Map<String, ClientCallStreamObserver<?>> running = new LinkedHashMap<>();
        private boolean cancelled;
        private boolean finished;

        private Fetch(ConfigDiscoveryGrpc.ConfigDiscoveryStub stub, Map<String, Long> wanted,
                Consumer<Map<String, String>> done) {
            this.stub = stub;
            this.queue = new ArrayDeque<>(wanted.entrySet());
            this.done = done;
        }

        public synchronized void cancel() {
            cancelled = true;
            queue.clear();
            for (ClientCallStreamObserver<?> call : running.values()) {
                call.cancel("superseded by a newer snapshot", null);
            }
        }

        private void startMore() {
            Map<String, Long> start = new LinkedHashMap<>();
            synchronized (this) {
                while (!cancelled && running.size() + start.size() < PARALLEL && !queue.isEmpty()) {
                    Map.Entry<String, Long> e = queue.poll();
                    start.put(e.getKey(), e.getValue());
                }
                if (start.isEmpty() && running.isEmpty() && !finished && !cancelled) {
                    finished = true;
                    done.accept(Map.copyOf(failures));
                    return;
                }
            }
            start.forEach((sha, size) -> stub.withDeadlineAfter(DEADLINE_MINUTES, TimeUnit.MINUTES)
                    .fetchBlob(FetchBlobRequest.newBuilder().setSha256(sha).build(), new OneBlob(this, sha, size)));
        }

        private synchronized void started(String sha, ClientCallStreamObserver<?> call) {
            running.put(sha, call);
        }

        private void ended(String sha, String failure) {
            synchronized (this) {
                running.remove(sha);
                if (failure != null) {
                    failures.putIfAbsent(sha, failure);
                }
            }
            startMore();
        }
    }

    /** One FetchBlob call; gRPC runs its callbacks one at a time, so its fields need no lock. */
    private final class OneBlob implements ClientResponseObserver<FetchBlobRequest, BlobChunk> {
        private final Fetch fetch;
        private final String sha;
        private final long size;
        private final MessageDigest digest = sha256();
        private ClientCallStreamObserver<FetchBlobRequest> call;
        private Path temp;
        private FileChannel out;
        private long received;
        private String failure;

        OneBlob(Fetch fetch, String sha, long size) {
            this.fetch = fetch;
            this.sha = sha;
            this.size = size;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<FetchBlobRequest> call) {
            this.call = call;
            fetch.started(sha, call);
        }

        @Override
        public void onNext(BlobChunk chunk) {
            if (failure != null) {
                return;
            }
            received += chunk.getData().size();
            if (received > size) {
                fail("the control plane sent more than the manifest's " + size + " bytes");
                return;
            }
            try {
                open();
                digest.update(chunk.getData().asReadOnlyByteBuffer());
                java.nio.ByteBuffer data = chunk.getData().asReadOnlyByteBuffer();
                while (data.hasRemaining()) {
                    out.write(data);
                }
            } catch (IOException e) {
                fail("could not write to disk: " + e.getMessage());
            }
        }

        @Override
        public void onError(Throwable t) {
            cleanUp();
            fetch.ended(sha, failure != null ? failure : describe(Status.fromThrowable(t)));
        }

        @Override
        public void onCompleted() {
            String why = failure;
            if (why == null) {
                try {
                    open(); // an empty file sends no chunk at all
                    String got = HexFormat.of().formatHex(digest.digest());
                    if (received != size) {
                        why = "got " + received + " bytes (expected: " + size + ")";
                    } else if (!got.equals(sha)) {
                        why = "hash mismatch: the bytes received hash to " + got;
                    } else {
                        out.force(true);
                        out.close();
                        out = null;
                        blobs.commit(temp, sha);
                        temp = null;
                    }
                } catch (IOException e) {
                    why = "could not store it: " + e.getMessage();
                }
            }
            cleanUp();
            fetch.ended(sha, why);
        }

        private void open() throws IOException {
            if (out == null) {
                temp = blobs.newTempFile(sha);
                out = FileChannel.open(temp, StandardOpenOption.WRITE);
            }
        }

        private void fail(String why) {
            failure = why;
            call.cancel(why, null); // onError follows, which reports it
        }

        private void cleanUp() {
            try {
                if (out != null) {
                    out.close();
                }
                if (temp != null) {
                    Files.deleteIfExists(temp);
                }
            } catch (IOException ignored) {
                // a temp file left behind is not a blob (not a hash name) and is never served
            }
            out = null;
            temp = null;
        }
    }

    private static String describe(Status s) {
        return s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }

    @Override
    public void close() {
        callbacks.shutdownNow();
    }
}
