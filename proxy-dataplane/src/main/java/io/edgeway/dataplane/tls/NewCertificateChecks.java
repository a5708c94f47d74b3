package io.edgeway.dataplane.tls;

import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.proto.v1.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The chain and key checks of a snapshot's new certificates ({@link NewCertificateCheck},
 * {@link EcKeyBatch}), spread over the machine's cores: 10,000 new certificates are about a second of one
 * core's work. The calling thread (the config client's, never an event loop) takes one slice and a bounded
 * pool of daemon threads, one fewer than the cores, takes the others; a proxy limited to one core checks
 * everything on the calling thread. Each slice checks its EC keys as one batch, so every certificate's
 * result (its key type, or its errors) is final when this returns.
 */
final class NewCertificateChecks {
    /** Below this many certificates per thread a second thread is not worth its hand-off. */
    private static final int MIN_PER_THREAD = 256;

    /** One certificate to check, and its name for errors. */
    record Item(Certificate certificate, String name) {}

    /** One certificate's outcome: its key type when good, else null and why. */
    record Result(String keyType, List<ConfigError> errors) {}

    private NewCertificateChecks() {}

    /** The results in the order of {@code items}. */
    static List<Result> check(List<Item> items) {
        int helpers = Pool.THREADS;
        int slices = (int) Math.max(1, Math.min(helpers + 1L, items.size() / MIN_PER_THREAD));
        if (slices == 1) {
            return checkSlice(items);
        }
        int per = (items.size() + slices - 1) / slices;
        List<Future<List<Result>>> others = new ArrayList<>();
        for (int from = per; from < items.size(); from += per) {
            List<Item> slice = items.subList(from, Math.min(items.size(), from + per));
            others.add(Pool.EXECUTOR.submit(() -> checkSlice(slice)));
        }
        List<Result> results = new ArrayList<>(checkSlice(items.subList(0, per)));
        try {
            for (Future<List<Result>> f : others) {
                results.addAll(f.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking certificates", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("certificate check failed: " + e.getCause().getClass().getSimpleName(), e.getCause());
        }
        return results;
    }

    private static List<Result> checkSlice(List<Item> slice) {
        EcKeyBatch batch = new EcKeyBatch();
        List<List<ConfigError>> errors = new ArrayList<>(slice.size());
        String[] keyTypes = new String[slice.size()];
        for (int i = 0; i < slice.size(); i++) {
            List<ConfigError> own = new ArrayList<>(0);
            Certificate c = slice.get(i).certificate();
            keyTypes[i] = NewCertificateCheck.check(c.getCertChainPem(), c.getPrivateKeyPem(), slice.get(i).name(), own, batch, i);
            errors.add(own);
        }
        for (int i : batch.mismatched()) {
            keyTypes[i] = null;
            errors.get(i).add(ParsedCertificate.keyMismatch(slice.get(i).name()));
        }
        List<Result> results = new ArrayList<>(slice.size());
        for (int i = 0; i < slice.size(); i++) {
            results.add(new Result(keyTypes[i], errors.get(i)));
        }
        return results;
    }

    /** Its threads start on first use: a proxy that never gets many new certificates at once starts none. */
    private static final class Pool {
        static final int THREADS = Math.max(0, Runtime.getRuntime().availableProcessors() - 1);
        static final ExecutorService EXECUTOR = THREADS == 0 ? null : Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "tls-certificate-check");
            t.setDaemon(true);
            return t;
        });
    }
}
