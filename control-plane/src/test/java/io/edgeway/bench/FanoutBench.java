package io.edgeway.bench;

import io.edgeway.controlplane.ControlPlane;
import io.edgeway.controlplane.Http;
import io.edgeway.controlplane.Settings;
import io.edgeway.controlplane.discovery.PreparedSnapshot;
import io.edgeway.proto.v1.Ack;
import io.edgeway.proto.v1.ConfigDiscoveryGrpc;
import io.edgeway.proto.v1.Hello;
import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.bench.HeadOnly.Head;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fan-out benchmark (not a test): one in-process control plane on an embedded PostgreSQL with 10,000 routes,
 * N simulated node streams over a few channels, each acking every snapshot. Measures the time from a
 * single-route PUT's 2xx answer to the N-th Ack, heap per stream, and serializations per version.
 * Args: node counts (default 100,1000,5000), then writes per count (default 20).
 */
public final class FanoutBench {
    private static final int ROUTES = 10_000;
    private static final int CHANNELS = 4;
    /**
     * Per stream and per connection, fixed. Large, because 1,250 streams share a connection: a connection
     * window of grpc-java's 1 MB start, no longer tuned up, would pace the whole push on window updates.
     */
    private static final int CLIENT_WINDOW = Integer.getInteger("bench.window", 16 << 20);

    /** -Dbench.gzip=false: nodes do not advertise gzip, so the control plane sends the snapshot uncompressed. */
    private static final boolean GZIP = Boolean.parseBoolean(System.getProperty("bench.gzip", "true"));

    private final ConcurrentMap<Long, AtomicInteger> acks = new ConcurrentHashMap<>();
    private final ConcurrentMap<Long, Long> allAckedAt = new ConcurrentHashMap<>();
    private final AtomicLong snapshotBytes = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean gzipSeen = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile int expected;
    /** Each build's phases by version (issue 22: which step of a write's build makes the slow ones slow). */
    private final ConcurrentMap<Long, io.edgeway.controlplane.discovery.BuildPhases> phases = new ConcurrentHashMap<>();
    private final List<String> phaseRows = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        int[] counts = args.length > 0 ? Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {100, 1000, 5000};
        int writes = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        // issue 22: "full" nodes get the full snapshot per write; "delta" nodes announce the capability and get deltas
        String[] modes = args.length > 2 ? args[2].split(",") : new String[] {"full", "delta"};
        new FanoutBench().run(counts, writes, modes);
        System.exit(0);
    }

    private void run(int[] counts, int writes, String[] modes) throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
             ControlPlane cp = ControlPlane.start(Settings.forDatabase(pg.getJdbcUrl("postgres", "postgres"), "postgres", null)
                     .withAdminToken(Http.ADMIN_TOKEN))) {
            Http http = new Http(cp.adminPort());
            long t = System.nanoTime();
            Http.Response applied = http.post("/api/v1/config", document());
            if (applied.status() != 200 && applied.status() != 201) {
                throw new IllegalStateException("config apply: " + applied.status() + " " + applied.body());
            }
            await(() -> cp.version() >= applied.revisionNumber(), 120);
            System.err.printf("applied %d routes as revision %d in %d ms%n", ROUTES, applied.revisionNumber(),
                    (System.nanoTime() - t) / 1_000_000);
            long heapIdle = heapAfterGc();
            cp.onSnapshotBuilt(p -> phases.put(p.version(), p));
            List<String> rows = new ArrayList<>();
            for (int n : counts) {
                for (String mode : modes) { // the same run, the same control plane: only the encoding differs
                    rows.add(measure(cp, http, n, writes, heapIdle, mode.equals("delta")));
                }
            }
            byte[] sample = oneMessage(cp);
            System.out.println();
            System.out.printf("Simulated nodes read only the per-send head (version, nonce) and Ack; inflating, parsing "
                    + "and compiling the snapshot is each real proxy's own CPU: %.1f ms here (best of 5, RuntimeConfig.from"
                    + "%s, disk cache write not included).%n", HeadOnly.proxyApplyMillis(sample, gzipSeen.get()),
                    gzipSeen.get() ? ", after gunzip" : "");
            System.out.printf("Snapshot: %,d routes, %,d bytes on the wire per full send (%s); a delta send's size is in its row. Heap is after System.gc(), heap only "
                    + "(Netty direct buffers not counted).%n%n", ROUTES, sample.length,
                    gzipSeen.get() ? "gzip, compressed once per version" : "uncompressed");
            System.out.println("| nodes | mode | bytes/send (last write) | writes | PUT round trip p50 | 2xx → snapshot installed p50 / p99 | 2xx → all Acks p50 | p99 | max | JVM CPU 2xx → all Acks p50 | heap/stream (KB) | full serializations / versions |");
            System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            rows.forEach(System.out::println);
            System.out.println();
            System.out.println("Per-phase, on the builder thread (p50 / p99 over the writes; wake = 2xx to build start, negative "
                    + "when the build began before the client read the 2xx; deferred = after the install, off the push path; "
                    + "GC = collector pause time in the JVM between 2xx and all Acks):");
            System.out.println("| nodes | mode | wake | load | assemble | prepare | install | push path (sum) | deferred | GC |");
            System.out.println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            phaseRows.forEach(System.out::println);
        }
    }

    private String measure(ControlPlane cp, Http http, int n, int writes, long heapIdle, boolean deltas) throws Exception {
        List<ManagedChannel> channels = new ArrayList<>();
        for (int i = 0; i < CHANNELS; i++) {
            // Cheap nodes, as they share the control plane's cores: Acks go out from the event loop that read the
            // snapshot (no hop to a thread pool per message), and a fixed window turns off the BDP pings
            // grpc-java otherwise sends to size it, which here would only measure the simulation.
            channels.add(NettyChannelBuilder.forAddress("127.0.0.1", cp.grpcPort()).usePlaintext()
                    .decompressorRegistry(GZIP ? HeadOnly.GZIP_UNTOUCHED : HeadOnly.IDENTITY_ONLY)
                    .directExecutor().flowControlWindow(CLIENT_WINDOW)
                    .maxInboundMessageSize(64 << 20).build());
        }
        MethodDescriptor<NodeMessage, Head> method = ConfigDiscoveryGrpc.getStreamMethod().toBuilder(
                ProtoUtils.marshaller(NodeMessage.getDefaultInstance()), HeadOnly.MARSHALLER).build();
        expected = n;
        acks.clear();
        allAckedAt.clear();
        long current = cp.version();
        List<ClientCall<NodeMessage, Head>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ClientCall<NodeMessage, Head> call = channels.get(i % CHANNELS).newCall(method, CallOptions.DEFAULT);
            calls.add(call);
            StreamObserver<NodeMessage>[] out = new StreamObserver[1];
            out[0] = ClientCalls.asyncBidiStreamingCall(call, new StreamObserver<>() {
                @Override
                public void onNext(Head h) {
                    if (h == Head.FLEET_SHARE) {
                        return;
                    }
                    snapshotBytes.set(h.wireBytes());
                    gzipSeen.set(h.gzip());
                    synchronized (out) {
                        out[0].onNext(NodeMessage.newBuilder().setAck(Ack.newBuilder().setVersion(h.version()).setNonce(h.nonce())).build());
                    }
                    if (acks.computeIfAbsent(h.version(), v -> new AtomicInteger()).incrementAndGet() == expected) {
                        allAckedAt.put(h.version(), System.nanoTime());
                    }
                }

                @Override
                public void onError(Throwable t) {
                    if (!String.valueOf(t.getMessage()).contains("bench done")) {
                        System.err.println("node stream failed: " + t); // a broken node would stall the run
                    }
                }

                @Override
                public void onCompleted() {}
            });
            synchronized (out) {
                Hello.Builder hello = Hello.newBuilder().setNodeId("bench-" + n + (deltas ? "-delta-" : "-full-") + i);
                if (deltas) {
                    hello.addCapabilities(io.edgeway.proto.delta.SnapshotDeltas.CAPABILITY);
                }
                out[0].onNext(NodeMessage.newBuilder().setHello(hello).build());
            }
        }
        await(() -> allAckedAt.containsKey(current), 600);
        long heapPerStream = (heapAfterGc() - heapIdle) / n;

        long serialized = PreparedSnapshot.serializations();
        long[] roundTrip = new long[writes];
        long[] fanout = new long[writes];
        long[] built = new long[writes];
        long[] cpu = new long[writes];
        long[][] phase = new long[7][writes]; // wake, load, assemble, prepare, install, push path, deferred
        long[] gc = new long[writes];
        for (int w = 0; w < writes; w++) {
            long gcAtStart = gcMillis();
            long start = System.nanoTime();
            Http.Response r = http.put("/api/v1/routes/r00000", "{\"upstream\":\"app\",\"hosts\":[\"r0.example.com\"],"
                    + "\"paths\":[\"/v" + n + "-" + w + "\"]}");
            long committed = System.nanoTime();
            long cpuAtCommit = cpuNanos();
            long version = r.revisionNumber();
            await(() -> cp.version() >= version, 600); // the snapshot is built, serialized, gzipped and installed
            built[w] = System.nanoTime() - committed;
            await(() -> allAckedAt.containsKey(version), 600);
            cpu[w] = cpuNanos() - cpuAtCommit;
            roundTrip[w] = committed - start;
            fanout[w] = Math.max(0, allAckedAt.get(version) - committed);
            gc[w] = TimeUnit.MILLISECONDS.toNanos(gcMillis() - gcAtStart);
            var p = phases.get(version);
            if (p != null) { // null only if two writes collapsed into one build, which one writer at a time never causes
                long[] values = {p.startedAt() - committed, p.loadNanos(), p.assembleNanos(), p.prepareNanos(),
                        p.installNanos(), p.pushPathNanos(), p.deferredNanos()};
                for (int i = 0; i < values.length; i++) {
                    phase[i][w] = values[i];
                }
            }
        }
        StringBuilder phaseRow = new StringBuilder(String.format("| %,d | %s |", n, deltas ? "delta" : "full"));
        for (long[] values : phase) {
            Arrays.sort(values);
            phaseRow.append(String.format(" %s / %s |", ms(pct(values, 50)), ms(pct(values, 99))));
        }
        Arrays.sort(gc);
        phaseRows.add(phaseRow.append(String.format(" %s / %s |", ms(pct(gc, 50)), ms(pct(gc, 99)))).toString());
        long versions = writes;
        long serializations = PreparedSnapshot.serializations() - serialized;

        calls.forEach(c -> c.cancel("bench done", null));
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(30, TimeUnit.SECONDS);
        }
        Arrays.sort(roundTrip);
        Arrays.sort(fanout);
        Arrays.sort(built);
        Arrays.sort(cpu);
        return String.format("| %,d | %s | %,d | %d | %s | %s / %s | %s | %s | %s | %s | %.1f | %d / %d |", n,
                deltas ? "delta" : "full", snapshotBytes.get(), writes, ms(pct(roundTrip, 50)),
                ms(pct(built, 50)), ms(pct(built, 99)), ms(pct(fanout, 50)), ms(pct(fanout, 99)), ms(fanout[writes - 1]),
                ms(pct(cpu, 50)), heapPerStream / 1024.0, serializations, versions);
    }

    /** One snapshot as a node receives it off the wire (still gzipped when compressed), checked whole. */
    private static byte[] oneMessage(ControlPlane cp) throws Exception {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", cp.grpcPort()).usePlaintext()
                .decompressorRegistry(GZIP ? HeadOnly.GZIP_UNTOUCHED : HeadOnly.IDENTITY_ONLY)
                .maxInboundMessageSize(64 << 20).build();
        try {
            var method = ConfigDiscoveryGrpc.getStreamMethod().toBuilder(
                    ProtoUtils.marshaller(NodeMessage.getDefaultInstance()), HeadOnly.RAW).build();
            var received = new java.util.concurrent.CompletableFuture<byte[]>();
            StreamObserver<NodeMessage> out = ClientCalls.asyncBidiStreamingCall(channel.newCall(method, CallOptions.DEFAULT),
                    new StreamObserver<>() {
                        public void onNext(byte[] b) {
                            try {
                                if (!HeadOnly.isFleetShare(b)) {
                                    received.complete(b);
                                }
                            } catch (Exception e) {
                                received.completeExceptionally(e);
                            }
                        }
                        public void onError(Throwable t) { received.completeExceptionally(t); }
                        public void onCompleted() {}
                    });
            out.onNext(NodeMessage.newBuilder().setHello(Hello.newBuilder().setNodeId("bench-sample")).build());
            byte[] wire = received.get(60, TimeUnit.SECONDS);
            var in = new java.io.ByteArrayInputStream(wire);
            var snapshot = io.edgeway.proto.v1.ControlMessage.parseFrom(GZIP ? new java.util.zip.GZIPInputStream(in) : in).getSnapshot();
            if (snapshot.getRoutesCount() != ROUTES || snapshot.getNonce().isEmpty() || snapshot.getVersion() != cp.version()) {
                throw new IllegalStateException("sample snapshot: " + snapshot.getRoutesCount() + " routes, nonce '"
                        + snapshot.getNonce() + "', version " + snapshot.getVersion());
            }
            return wire;
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    private static String document() {
        StringBuilder b = new StringBuilder("{\"upstreams\":[{\"name\":\"app\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":9001}]}],\"routes\":[");
        for (int i = 0; i < ROUTES; i++) {
            b.append(i == 0 ? "" : ",").append(String.format("{\"name\":\"r%05d\",\"hosts\":[\"r%d.example.com\"],"
                    + "\"paths\":[\"/\"],\"upstream\":\"app\"}", i, i));
        }
        return b.append("]}").toString();
    }

    /** Nearest-rank percentile of sorted nanos. */
    private static long pct(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static String ms(long nanos) {
        return String.format("%.1f ms", nanos / 1e6);
    }

    /**
     * CPU time of this JVM (control plane and simulated nodes; PostgreSQL runs in its own processes). Unlike the
     * latencies, it barely moves when other work shares the machine, so it compares runs on a busy machine.
     */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long gcMillis() {
        long sum = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!gc.getName().contains("Concurrent")) { // pauses only: G1's concurrent cycle runs beside the threads
                sum += Math.max(0, gc.getCollectionTime());
            }
        }
        return sum;
    }

    private static long heapAfterGc() throws InterruptedException {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) { // a few rounds: finalizers and soft references settle
            System.gc();
            Thread.sleep(200);
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static void await(java.util.function.BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("condition not met within " + seconds + " s");
            }
            Thread.sleep(1); // a benchmark driver, not a test: polling keeps the measured path untouched
        }
    }
}
