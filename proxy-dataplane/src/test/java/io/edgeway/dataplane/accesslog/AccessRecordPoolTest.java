package io.edgeway.dataplane.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pooled access log records: the writer thread gives each one back to the event loop that took it, and a
 * record comes back with nothing of the request it carried (the next request sets only some fields).
 */
class AccessRecordPoolTest {
    @TempDir
    Path dir;

    @Test
    void aRecycledRecordCarriesNothingOfItsLastRequest() throws Exception {
        AccessRecord r = new AccessRecord();
        List<Field> fields = publicFields();
        for (Field f : fields) { // every field set, so a field that recycle() forgets is caught
            Class<?> t = f.getType();
            f.set(r, t == long.class ? 7L : t == int.class ? 7 : t == boolean.class ? true : "x");
        }
        r.recycle();
        for (Field f : fields) {
            Object v = f.get(r);
            assertThat(v == null || v.equals(0L) || v.equals(0) || v.equals(false))
                    .as("%s after recycle is %s", f.getName(), v).isTrue();
        }
    }

    @Test
    void theWriterGivesRecordsBackToTheLoopThatTookThem() throws Exception {
        Path file = dir.resolve("access.log");
        DefaultEventLoopGroup loops = new DefaultEventLoopGroup(1);
        EventLoop loop = loops.next();
        try (AccessLog log = AccessLog.start(AccessLogSettings.OFF.to(file.toString()), new LongAdder())) {
            Set<AccessRecord> first = Collections.newSetFromMap(new IdentityHashMap<>());
            loop.submit(() -> {
                for (int i = 0; i < 64; i++) {
                    AccessRecord r = AccessRecord.pooled();
                    first.add(r);
                    r.method = "GET";
                    r.uri = "/" + i;
                    r.status = 200;
                    r.writeLine = true;
                    log.offer(r);
                }
            }).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file)
                    && Files.readAllLines(file).size() == 64);
            List<AccessRecord> again = new ArrayList<>();
            loop.submit(() -> {
                for (int i = 0; i < 64; i++) {
                    again.add(AccessRecord.pooled());
                }
            }).get(10, TimeUnit.SECONDS);
            assertThat(again).as("records taken after the writer was done with the first ones")
                    .anyMatch(first::contains);
            assertThat(again).allMatch(r -> r.uri == null && r.status == 0 && !r.writeLine);
            assertThat(Files.readAllLines(file)).anyMatch(l -> l.contains("\"/63\""));
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    static List<Field> publicFields() {
        List<Field> out = new ArrayList<>();
        for (Field f : AccessRecord.class.getDeclaredFields()) {
            if (Modifier.isPublic(f.getModifiers()) && !Modifier.isStatic(f.getModifiers())) {
                out.add(f);
            }
        }
        assertThat(out).hasSizeGreaterThan(20);
        return out;
    }
}
