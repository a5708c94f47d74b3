package io.edgeway.dataplane.listener;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The peers whose X-Forwarded-* headers are believed (e.g. the subnet of a load balancer in front of the
 * fleet). Parsed once at start; matched once per client connection, not per request.
 */
public final class TrustedProxies {
    public static final TrustedProxies NONE = new TrustedProxies(List.of(), "");

    private record Cidr(byte[] network, int prefix) {
        boolean contains(byte[] addr) {
            if (addr.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (addr[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (addr[full] & mask) == (network[full] & mask);
        }
    }

    private final List<Cidr> cidrs;
    private final String spec;

    private TrustedProxies(List<Cidr> cidrs, String spec) {
        this.cidrs = List.copyOf(cidrs);
        this.spec = spec;
    }

    /**
     * @param spec comma-separated CIDRs or single addresses, IPv4 or IPv6 literals only (no names: a DNS
     *             lookup here would block and could be spoofed), e.g. {@code 10.0.0.0/16, 192.168.1.5}
     */
    public static TrustedProxies parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return NONE;
        }
        List<Cidr> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int slash = p.indexOf('/');
            String host = slash < 0 ? p : p.substring(0, slash);
            boolean literal = host.contains(":") || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
            if (host.isEmpty() || !literal) {
                throw new IllegalArgumentException("trusted proxy: " + p + " (expected: an IP literal or CIDR)");
            }
            byte[] addr;
            try {
                addr = InetAddress.getByName(host).getAddress(); // literal: no lookup
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("trusted proxy: " + p + " (expected: an IP literal or CIDR)");
            }
            int max = addr.length * 8;
            int prefix = max;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(p.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > max) {
                    throw new IllegalArgumentException("trusted proxy: " + p + " (expected: prefix 0-" + max + ")");
                }
            }
            out.add(new Cidr(addr, prefix));
        }
        return new TrustedProxies(out, spec.trim());
    }

    public boolean contains(InetAddress address) {
        if (cidrs.isEmpty() || address == null) {
            return false;
        }
        byte[] a = address.getAddress();
        for (Cidr c : cidrs) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return spec;
    }
}
