package io.edgeway.e2e;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
  * A real JVM child process started from this test's class path: the control plane and the proxies run as the
  * processes they are in production, so signals, restarts and ports behave as they do there.
  */
final class JavaProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final Process process;
    private final ConcurrentLinkedDeque<String> output = new ConcurrentLinkedDeque<>();
    private final Matcher ready;

    private JavaProcess(String name, Process process, Pattern readyLine) throws Exception {
        this.name = name;
        this.process = process;
        CompletableFuture<Matcher> readyFuture = new CompletableFuture<>();
        Thread reader = new Thread(() -> pump(readyLine, readyFuture), name + "-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            this.ready = readyFuture.get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not become ready; output:\n" + output(), e);
        }
    }

    /** Starts {@code mainClass} with extra environment and waits for a stdout line matching {@code readyLine}. */
    static JavaProcess start(String name, String mainClass, Map<String, String> env, List<String> args,
            Pattern readyLine) throws Exception {
        requireNonNull(readyLine, "readyLine");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        return new JavaProcess(name, builder.start(), readyLine);
    }

    private void pump(Pattern readyLine, CompletableFuture<Matcher> readyFuture) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                output.add(line);
                if (output.size() > 2000) output.removeFirst();
                Matcher m = readyLine.matcher(line);
                if (!readyFuture.isDone() && m.find()) readyFuture.complete(m);
            }
        } catch (IOException e) {
            // the process went away; its exit is seen by whoever waits on it
        }
        readyFuture.completeExceptionally(new IllegalStateException(name + " exited before it was ready"));
    }

    /** A named group of the ready line, e.g. the port the process bound. */
    String ready(String group) {
        return ready.group(group);
    }

    long pid() {
        return process.pid();
    }

    String output() {
        return String.join("\n", output);
    }

    /** SIGTERM, as systemd or an autoscaling group would send, then wait for a clean exit. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        return process.exitValue();
    }

    /** SIGTERM without waiting, so a test can watch what the process does while it drains. */
    void terminate() {
        process.destroy();
    }

    /** The exit code, or -1 if the process is still running after {@code timeout}. */
    int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** SIGKILL: a crash or a lost host, no shutdown hook runs. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) stop();
    }
}
