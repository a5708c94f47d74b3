package io.edgeway.controlplane.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fleet-wide bound on snapshot bytes queued in gRPC; resumed waiters run inline here, so order is exact. */
class SendBudgetTest {
    private final SendBudget budget = new SendBudget(100, Runnable::run);
    private final List<String> resumed = new ArrayList<>();

    @Test
    void streamsOverTheBudgetWaitAndResumeInOrderAsBytesAreWritten() {
        assertThat(budget.acquire(60, () -> true)).isTrue();
        assertThat(budget.acquire(60, waiter("b", 60))).isFalse();
        assertThat(budget.acquire(60, waiter("c", 60))).isFalse();

        budget.release(60); // a's bytes reached the wire: b goes, c still does not fit behind it
        assertThat(resumed).containsExactly("b");
        assertThat(budget.used()).isEqualTo(60);

        budget.release(60);
        assertThat(resumed).containsExactly("b", "c");
    }

    @Test
    void aSnapshotLargerThanTheWholeBudgetStillGoesAlone() {
        assertThat(budget.acquire(500, () -> true)).isTrue();
        assertThat(budget.acquire(1, () -> true)).isFalse();
        budget.release(500);
        assertThat(budget.used()).isZero();
    }

    /** A stream that, when resumed, tries again; if it still does not fit it is queued again by acquire. */
    private SendBudget.Waiter waiter(String name, long bytes) {
        return new SendBudget.Waiter() {
            @Override
            public boolean resume() {
                if (budget.acquire(bytes, this)) {
                    resumed.add(name);
                    return true;
                }
                return false;
            }
        };
    }
}
