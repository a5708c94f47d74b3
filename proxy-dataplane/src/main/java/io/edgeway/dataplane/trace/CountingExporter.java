package io.edgeway.dataplane.trace;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The OTLP exporter, counting the spans the batch processor has taken off its queue (so {@link SpanExport} knows
 * how full that queue is) and those whose export failed (a collector down or refusing).
 */
final class CountingExporter implements SpanExporter {
    private final SpanExporter delegate;
    private final LongAdder failed;
    private final AtomicLong taken = new AtomicLong();

    CountingExporter(SpanExporter delegate, LongAdder failed) {
        this.delegate = delegate;
        this.failed = failed;
    }

    long taken() {
        return taken.get();
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        int n = spans.size();
        taken.addAndGet(n);
        CompletableResultCode result = delegate.export(spans);
        result.whenComplete(() -> {
            if (!result.isSuccess()) {
                failed.add(n);
            }
        });
        return result;
    }

    @Override
    public CompletableResultCode flush() {
        return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
        return delegate.shutdown();
    }
}
