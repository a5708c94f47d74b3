package io.edgeway.dataplane.balancing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RetryBudgetTest {
    @Test
    void aQuietUpstreamMayStillRetryUpToTheMinimum() {
        RetryBudget b = new RetryBudget();
        for (int i = 0; i < 5; i++) {
            b.begin();
        }
        assertThat(b.tryRetry()).isTrue();
        assertThat(b.tryRetry()).isTrue();
        assertThat(b.tryRetry()).isTrue();
        assertThat(b.tryRetry()).isFalse();
        assertThat(b.retriesInFlight()).isEqualTo(RetryBudget.MIN_CONCURRENT);
        assertThat(b.refusedTotal()).isEqualTo(1);
    }

    @Test
    void aBusyUpstreamRetriesAtMostTwentyPercentOfTheRequestsNotRetrying() {
        RetryBudget b = new RetryBudget();
        for (int i = 0; i < 60; i++) {
            b.begin();
        }
        int granted = 0;
        while (b.tryRetry()) {
            granted++;
        }
        assertThat(granted).isEqualTo(10); // 10 <= (60 - 10) / 5, 11 > (60 - 11) / 5
        // A retried request that ends gives its retry back; so does each first attempt its share.
        b.end(true);
        assertThat(b.retriesInFlight()).isEqualTo(9);
        assertThat(b.inFlight()).isEqualTo(59);
        assertThat(b.tryRetry()).isTrue(); // 9 < (59 - 9) / 5
        assertThat(b.tryRetry()).isFalse(); // 10 >= (59 - 10) / 5
        assertThat(b.grantedTotal()).isEqualTo(11);
    }
}
