package io.edgeway.dataplane.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.balancing.HealthPolicy;
import io.edgeway.dataplane.balancing.Policy;
import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.balancing.TargetGroup;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a request holds while it is relayed is given back once, whichever way the request ends. */
class TargetLeaseTest {
    private final List<Endpoint> targets = List.of(Endpoint.of("10.0.0.1", 80, 1), Endpoint.of("10.0.0.2", 80, 1));
    private final TargetGroup upstream = new TargetGroup("u", targets, Policy.LEAST_REQUEST, null, 0, HealthPolicy.NONE, null);
    private final TargetLease lease = new TargetLease();

    private Endpoint pickAndBegin() {
        Endpoint first = upstream.pick(EmptyHttpHeaders.INSTANCE, "");
        lease.begin(upstream, first);
        return first;
    }

    @Test
    void releaseGivesBackThePickAndTheBudget() {
        Endpoint first = pickAndBegin();
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
        Endpoint first = pickAndBegin();

        Endpoint next = lease.reserveRetry(EmptyHttpHeaders.INSTANCE, "");
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
        Endpoint parked = lease.reserveRetry(EmptyHttpHeaders.INSTANCE, "");
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
