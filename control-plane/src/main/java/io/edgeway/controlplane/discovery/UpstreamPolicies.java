package io.edgeway.controlplane.discovery;

import io.edgeway.controlplane.model.HashOn;
import io.edgeway.controlplane.model.HealthCheck;
import io.edgeway.controlplane.model.Upstream;
import io.edgeway.controlplane.model.UpstreamTls;
import io.edgeway.proto.v1.ActiveHealthCheck;
import io.edgeway.proto.v1.PassiveHealthCheck;
import io.edgeway.proto.v1.LbPolicy;
import io.edgeway.proto.v1.UpstreamProtocol;
import java.util.Locale;

/** An upstream's balancing, health and TLS settings in the proto's words: enum policy, durations in ms. */
final class UpstreamPolicies {
    private UpstreamPolicies() {}

    static void apply(Upstream u, io.edgeway.proto.v1.Upstream.Builder b) {
        // The model only admits the four names, which are the enum's in lower case.
        b.setPolicy(LbPolicy.valueOf(u.policy().toUpperCase(Locale.ROOT)));
        HashOn h = u.hashOn();
        if (h != null) {
            var hb = io.edgeway.proto.v1.HashOn.newBuilder();
            if (h.header() != null) {
                hb.setHeader(h.header());
            } else if (h.cookie() != null) {
                hb.setCookie(h.cookie());
            } else {
                hb.setClientIp(true);
            }
            b.setHashOn(hb);
        }
        if (u.slowStart() != null) {
            b.setSlowStartMs(u.slowStart().toMillis());
        }
        // The model only admits these two names.
        b.setProtocol(u.protocol().equals(Upstream.H2C) ? UpstreamProtocol.H2C : UpstreamProtocol.HTTP1);
        UpstreamTls tls = u.tls();
        if (tls != null) {
            var tb = io.edgeway.proto.v1.UpstreamTls.newBuilder().setSkipVerify(!tls.verify());
            if (tls.sni() != null) {
                tb.setSni(tls.sni());
            }
            if (tls.ca() != null) {
                tb.setCaPem(tls.ca());
            }
            b.setTls(tb);
        }
        HealthCheck hc = u.healthCheck();
        if (hc != null) {
            var hcb = io.edgeway.proto.v1.HealthCheck.newBuilder();
            if (hc.active() != null) {
                HealthCheck.Active a = hc.active();
                hcb.setActive(ActiveHealthCheck.newBuilder().setPath(a.path()).setExpectedStatus(a.expectedStatus())
                        .setIntervalMs(a.interval().toMillis()).setTimeoutMs(a.timeout().toMillis())
                        .setHealthyThreshold(a.healthyThreshold()).setUnhealthyThreshold(a.unhealthyThreshold()));
            }
            if (hc.passive() != null) {
                hcb.setPassive(PassiveHealthCheck.newBuilder()
                        .setConsecutiveFailures(hc.passive().consecutiveFailures())
                        .setEjectionTimeMs(hc.passive().ejectionTime().toMillis()));
            }
            b.setHealthCheck(hcb);
        }
    }
}
