package io.edgeway.dataplane.warmup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the JIT compiler threads' CPU weight when the warm-up ends (issue 21). A proxy pinned to one core shares
 * it with its own C1/C2 compiler threads, and the CFS scheduler gives a compiler thread the event loop's weight:
 * after ready, a C2 compile that is still running takes about half the core from a saturated event loop for as long
 * as it lasts. Linux keeps a nice value per thread, so giving only the compiler threads a positive nice makes the
 * event loop win the core while the compiler still runs whenever the loop waits. Before ready the compiler keeps
 * its full weight: the warm-up exists to let it work. Opt-in ({@code EDGEWAY_JIT_NICE}): measured on a core shared
 * with other processes, the lower weight also lost the compiler's time to them, and the proxy converged slower. Compiler threads the JVM adds later are created by a compiler thread and inherit
 * its nice value. GC threads are left alone: lowering them would lengthen the pauses that stop the event loop.
 * <p>Java 17 has no call for a thread's nice value, so this runs {@code renice -n N -p TID...} (util-linux;
 * {@code setpriority(PRIO_PROCESS, tid)} applies to that one thread on Linux). Without /proc or renice (not Linux,
 * a minimal image) it logs and does nothing: it may only ever cost the tail, never readiness.
 */
public final class CompilerThreadNice {
    private static final Logger log = LoggerFactory.getLogger(CompilerThreadNice.class);
    /** /proc/TID/comm keeps 15 characters: "C2 CompilerThread0" reads "C2 CompilerThre". */
    private static final List<String> COMPILER_COMM_PREFIXES = List.of("C1 CompilerThre", "C2 CompilerThre");
    private static final Path OWN_TASKS = Path.of("/proc/self/task");

    private CompilerThreadNice() {}

    /**
     * Gives this JVM's compiler threads nice {@code nice} (1-19; 0 does nothing). Returns the thread ids it
     * reniced, empty when there was nothing to do or it could not.
     */
    public static List<Long> apply(int nice) {
        if (nice == 0) {
            return List.of();
        }
        List<Long> tids = compilerThreadIds(OWN_TASKS);
        if (tids.isEmpty()) {
            return List.of();
        }
        List<String> cmd = new ArrayList<>(List.of("renice", "-n", String.valueOf(nice), "-p"));
        tids.forEach(t -> cmd.add(String.valueOf(t)));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                log.warn("JIT compiler threads keep their priority: renice failed: {}", out);
                return List.of();
            }
        } catch (IOException e) {
            log.warn("JIT compiler threads keep their priority: {}", e.toString());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
        log.info("JIT compiler threads {} now at nice {} (EDGEWAY_JIT_NICE): the event loops win the core", tids, nice);
        return tids;
    }

    /** The ids of the C1/C2 compiler threads among {@code tasks} (a /proc/PID/task directory); empty if unreadable. */
    static List<Long> compilerThreadIds(Path tasks) {
        List<Long> tids = new ArrayList<>();
        if (!Files.isDirectory(tasks)) {
            return tids;
        }
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
            for (Path task : dir) {
                String comm = readComm(task);
                if (COMPILER_COMM_PREFIXES.stream().anyMatch(comm::startsWith)) {
                    tids.add(Long.parseLong(task.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            log.debug("cannot list {}: {}", tasks, e.toString());
        }
        return tids;
    }

    private static String readComm(Path task) {
        try {
            return Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return ""; // the thread ended while listing
        }
    }
}
