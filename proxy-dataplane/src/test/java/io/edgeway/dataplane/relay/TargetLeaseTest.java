package io.edgeway.dataplane.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.balancing.HealthCheck;
import io.edgeway.dataplane.balancing.Policy;
import io.edgeway.dataplane.balancing.Target;
import io.edgeway.dataplane.balancing.Upstream;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a request holds while it is relayed is given back once, whichever way the request ends. */
class TargetLeaseTest {
    private final List<Target> targets = List.of(Target.of("10.0.0.1", 80, 1), Target.of("10.0.0.2", 80, 1));
    private final Upstream upstream = new Upstream("u", targets, Policy.LEAST_REQUEST, null, 0, HealthCheck.NONE, null);
    private final TargetLease lease = new TargetLease();

    private Target pickAndBegin() {
        Target first = upstream.pick(EmptyHttpHeaders.INSTANCE, "");
        lease.begin(upstream, first);
        return first;
    }

    @Test
    void releaseGivesBackThePickAndTheBudget() {
        Target first = pickAndBegin();
        assertThat(first.state().outstanding()).isEqualTo(1);
        assertThat(upstream.retryBudget().inFlight()).isEqualTo(1);

        lease.release();
        lease.release(); // a second release (close after end) gives back nothing more

        assertThat(first.state().outstanding()).isZero();
        assertThat(upstream.retryBudget().inFlight()).isZero();
        assertThat(lease.target()).isNull();
    }

    @Test
    void aRetryGoesToTheOtherTargetOnceAndHoldsOneRetryOfTheBudget() {
        Target first = pickAndBegin();

        Target next = lease.reserveRetry(EmptyHttpHeaders.INSTANCE, "");
        assertThat(next).isNotNull().isNotSameAs(first);
        assertThat(upstream.retryBudget().retriesInFlight()).isEqualTo(1);
        assertThat(lease.mayFailOver()).isFalse();

        lease.switchTo(next);
        assertThat(first.state().outstanding()).isZero();
        assertThat(next.state().outstanding()).isEqualTo(1);

        lease.release();
        assertThat(next.state().outstanding()).isZero();
        assertThat(upstream.retryBudget().retriesInFlight()).isZero();
        assertThat(upstream.retryBudget().inFlight()).isZero();
    }

    @Test
    void aParkedRetryTargetIsGivenBackWhenTheRequestEndsFirst() {
        pickAndBegin();
        Target parked = lease.reserveRetry(EmptyHttpHeaders.INSTANCE, "");
        lease.park(parked);
        assertThat(parked.state().outstanding()).isEqualTo(1);

        lease.release(); // the client went away while the 503 was being dropped

        assertThat(targets).allSatisfy(t -> assertThat(t.state().outstanding()).isZero());
        assertThat(upstream.retryBudget().retriesInFlight()).isZero();
    }

    @Test
    void eachRequestMayFailOverOnceAgain() {
        pickAndBegin();
        lease.switchTo(lease.reserveRetry(EmptyHttpHeaders.INSTANCE, ""));
        lease.release();

        pickAndBegin();

        assertThat(lease.mayFailOver()).isTrue();
        lease.release();
    }
}
