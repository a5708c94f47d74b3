package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.dataplane.l4.StreamSettings;
import io.edgeway.dataplane.warmup.Warmup;
import io.edgeway.dataplane.warmup.WarmupSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21: the warm-up ends on "compilation settled", not merely on its request count and drill. While another
 * thread keeps the JIT busy (a fresh copy of a hot method, loaded again and again, so C1 and C2 always have work),
 * the warm-up must stay 503 long after its requests and drill are done; and a warm-up whose JIT settles ends on
 * {@link Warmup#END_SETTLED}, well before its timeout.
 */
class WarmupJitSettledTest {
    @TempDir
    Path dir;

    /**
     * While the JIT keeps compiling, the warm-up stays 503 long after its requests and drill are done (dozens of
     * samples, against the four quiet ones in a row it needs). A warm-up that ended on its count and drill alone
     * would be done within a second or two of the drill, then torn down in a few more.
     */
    @Test
    void theWarmupDoesNotEndWhileTheJitIsStillCompiling() throws Exception {
        JitChurn churn = new JitChurn();
        churn.start();
        try (TestControlPlane cp = new TestControlPlane(0);
                DataPlane dp = DataPlane.start(Settings.forTest(cp.port(), dir.resolve("data")),
                        StreamSettings.fromEnv(Map.of(), Duration.ofSeconds(5)),
                        WarmupSettings.of(Duration.ofSeconds(240), 2_000))) {
            Warmup w = dp.warmup();
            await().atMost(Duration.ofSeconds(200)).until(() -> w.answeredOk() >= 2_000 && w.certificateDrillDone());
            int loadedAtDrillEnd = churn.classesLoaded.get();
            Thread.sleep(12_000);
            assertThat(churn.classesLoaded.get()).as("the churn kept compiling new code").isGreaterThan(loadedAtDrillEnd);
            assertThat(w.done()).as("warm-up done while the JIT was still compiling: %s, %s", w, w.endReason()).isFalse();
        } finally {
            churn.halt();
        }
    }

    /**
     * And once the JIT has settled the warm-up ends on that, not on its (here 240 s) timeout. In a JVM of its own
     * with C1 only ({@code -XX:TieredStopAtLevel=1}): C1 compiles take well under a millisecond, so its queue drains
     * even on a machine whose load starves C2 for minutes (this one, at load average 40-50, never emptied C2's queue
     * under the warm-up's traffic within 4 minutes; then the timeout is the right end, and not what this tests).
     */
    @Test
    void aWarmupWhoseJitSettlesEndsOnThatAndNotOnItsTimeout() throws Exception {
        try (TestControlPlane cp = new TestControlPlane(0)) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1",
                    "-Dlogback.configurationFile=logback.xml", /* the product's INFO log, not the tests' WARN-only one */ "-cp", System.getProperty("java.class.path"),
                    DataPlane.class.getName()).redirectErrorStream(true);
            pb.environment().putAll(Map.of("EDGEWAY_CONTROL_PLANE", "127.0.0.1:" + cp.port(),
                    "EDGEWAY_CONTROL_PLANE_INSECURE_PLAINTEXT", "true", "EDGEWAY_PROXY_ADDRESS", "127.0.0.1",
                    "EDGEWAY_PROXY_PORT", "0", "EDGEWAY_STATUS_PORT", "0", "EDGEWAY_TLS_PORT", "0",
                    "EDGEWAY_DATA_DIR", dir.resolve("proc").toString(), "EDGEWAY_DRAIN_DELAY", "0s",
                    "EDGEWAY_WARMUP_TIMEOUT", "240s", "EDGEWAY_WARMUP_REQUESTS", "2000"));
            Process p = pb.start();
            // Bounded: a warm-up that never logs its end would leave this reading forever (its timeout is 240 s).
            CompletableFuture.delayedExecutor(300, TimeUnit.SECONDS).execute(p::destroyForcibly);
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String ended = null;
                StringBuilder out = new StringBuilder();
                for (String line; ended == null && (line = r.readLine()) != null; ) {
                    out.append(line).append('\n');
                    Matcher m = WARMUP_ENDED.matcher(line);
                    if (m.find()) {
                        ended = m.group(1);
                    }
                }
                assertThat(ended).as("why the warm-up ended; output:%n%s", out).isEqualTo(Warmup.END_SETTLED);
            } finally {
                p.destroyForcibly();
            }
        }
    }

    private static final Pattern WARMUP_ENDED = Pattern.compile("warm-up ended \\(([^)]*)\\)");

    /** A method with a loop, compiled afresh for every class loader that defines it. */
    public static final class Hot {
        public static long spin(int n) {
            long h = 1125899906842597L;
            for (int i = 0; i < n; i++) {
                h = 31 * h + (i ^ (h >>> 7));
            }
            return h;
        }
    }

    /** Loads {@link Hot} in a new class loader and calls it hot (C1, then C2 and OSR), again and again until halted. */
    private static final class JitChurn extends Thread {
        private final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger classesLoaded = new AtomicInteger();
        private final byte[] hotClass;
        volatile long sink;

        JitChurn() throws IOException {
            super("jit-churn");
            setDaemon(true);
            hotClass = classBytes();
        }

        private static byte[] classBytes() throws IOException {
            String resource = "/" + Hot.class.getName().replace('.', '/') + ".class";
            try (InputStream in = Hot.class.getResourceAsStream(resource)) {
                return in.readAllBytes();
            }
        }

        @Override
        public void run() {
            while (running.get()) {
                try {
                    Class<?> c = new OneClassLoader(Hot.class.getName(), hotClass).loadClass(Hot.class.getName());
                    java.lang.reflect.Method spin = c.getMethod("spin", int.class);
                    long s = 0;
                    for (int i = 0; i < 20_000 && running.get(); i++) {
                        s += (long) spin.invoke(null, 200);
                    }
                    sink = s;
                    classesLoaded.incrementAndGet();
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        void halt() throws InterruptedException {
            running.set(false);
            join(30_000);
        }
    }

    /** Defines one class itself (a fresh copy each time), everything else from the parent. */
    private static final class OneClassLoader extends ClassLoader {
        private final String name;
        private final byte[] bytes;

        OneClassLoader(String name, byte[] bytes) {
            super(WarmupJitSettledTest.class.getClassLoader());
            this.name = name;
            this.bytes = bytes;
        }

        @Override
        protected Class<?> loadClass(String n, boolean resolve) throws ClassNotFoundException {
            if (!n.equals(name)) {
                return super.loadClass(n, resolve);
            }
            synchronized (getClassLoadingLock(n)) {
                Class<?> c = findLoadedClass(n);
                return c != null ? c : defineClass(n, bytes, 0, bytes.length);
            }
        }
    }
}
