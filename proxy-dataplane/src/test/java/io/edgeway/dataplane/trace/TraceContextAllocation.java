package io.edgeway.dataplane.trace;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.lang.management.ManagementFactory;

/**
 * Not a test (no timing is asserted anywhere): a JMH-free loop that prints the bytes allocated and the CPU time
 * per request of the HTTP/1.1 path's trace context ({@link TraceContext#toTarget} into a reused {@link TraceIds},
 * then {@link TraceContext#keptRequestId}), for the request shapes a proxy sees, so a change to it can be measured the
 * same way before and after (issue 16). Run it with the module's test classpath:
 * <pre>java -cp proxy-dataplane/target/test-classes:proxy-dataplane/target/classes:$(cat cp.txt) \
 *     io.edgeway.dataplane.trace.TraceContextAllocation</pre>
 */
public final class TraceContextAllocation {
    private static final int CALLS = 2_000_000;
    private static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    public static void main(String[] args) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (String shape : new String[] {"no trace headers", "client traceparent + x-request-id"}) {
            HttpHeaders[] headers = new HttpHeaders[1024];
            TraceIds ids = new TraceIds(); // one per connection in the proxy
            for (int round = 0; round < 3; round++) { // rounds 0-1 warm up the JIT; round 2 is reported
                long bytes0 = mx.getCurrentThreadAllocatedBytes();
                long cpu0 = mx.getCurrentThreadCpuTime();
                long resetBytes = 0;
                long sink = 0;
                for (int i = 0; i < CALLS; i++) {
                    HttpHeaders h = headers[i & 1023];
                    if (h == null) {
                        h = headers[i & 1023] = new DefaultHttpHeaders();
                    }
                    long r0 = mx.getCurrentThreadAllocatedBytes();
                    reset(h, shape);
                    resetBytes += mx.getCurrentThreadAllocatedBytes() - r0; // the fixture's own, left out
                    TraceContext.toTarget(h, 0, ids);
                    sink += ids.spanId() + (TraceContext.keptRequestId(h) == null ? 1 : 0);
                }
                long bytes = mx.getCurrentThreadAllocatedBytes() - bytes0 - resetBytes;
                long cpu = mx.getCurrentThreadCpuTime() - cpu0;
                if (round == 2) {
                    System.out.printf("%-36s %7.1f bytes/call (trace context only)   %6.0f ns CPU/call (fixture included)  [%d]%n",
                            shape, (double) bytes / CALLS, (double) cpu / CALLS, sink % 10);
                }
            }
        }
    }

    private static void reset(HttpHeaders h, String shape) {
        h.clear();
        h.add("host", "shop.example.com").add("accept", "*/*").add("user-agent", "curl/8");
        if (!shape.startsWith("no")) {
            h.add(TraceContext.TRACEPARENT, PARENT).add(TraceContext.REQUEST_ID, "req-123");
        }
    }
}
