package io.edgeway.dataplane.tls;

import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.dataplane.config.InvalidConfigException;
import io.edgeway.proto.v1.Certificate;
import io.edgeway.proto.v1.Snapshot;
import io.netty.handler.ssl.SslContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The certificates of one snapshot, compiled into server contexts and an immutable SNI mapping: exact name
 * first, then a wildcard covering exactly one label (RFC 6125: {@code *.example.com} covers
 * {@code a.example.com}, not {@code example.com} nor {@code a.b.example.com}). A name may be served by an
 * ECDSA and an RSA certificate: the handshake gets the ECDSA one when the client accepts it
 * ({@link ClientHelloKeyType}). A new snapshot builds a new
 * instance; a connection keeps the context it chose, so a swap cuts none. Unchanged certificate sets keep
 * their compiled context from the running config.
 */
public final class TlsCertificates {
    public static final TlsCertificates NONE = new TlsCertificates(Map.of(), Map.of(), Map.of(), Map.of());

    /** The contexts serving one name: at most one per key type. */
    record Choice(SslContext ecdsa, SslContext rsa) {
        SslContext pick(boolean acceptsEcdsa) {
            if (acceptsEcdsa && ecdsa != null) {
                return ecdsa;
            }
            return rsa != null ? rsa : ecdsa; // an ECDSA-only name still answers; the client then decides
        }

        Choice with(String keyType, SslContext ctx) {
            return keyType.equals("EC") ? new Choice(ctx, rsa) : new Choice(ecdsa, ctx);
        }
    }

    private final Map<String, Choice> exact;
    private final Map<String, Choice> wildcard;      // by the suffix after "*."
    private final Map<String, SslContext> byName;
    private final Map<String, SslContext> byFingerprint; // so the next snapshot can keep unchanged ones

    private TlsCertificates(Map<String, Choice> exact, Map<String, Choice> wildcard,
                            Map<String, SslContext> byName, Map<String, SslContext> byFingerprint) {
        this.exact = Map.copyOf(exact);
        this.wildcard = Map.copyOf(wildcard);
        this.byName = Map.copyOf(byName);
        this.byFingerprint = Map.copyOf(byFingerprint);
    }

    /**
     * The context for a client's SNI (lower case), exact then wildcard, ECDSA when the client accepts it
     * and one is there; null when no certificate names it.
     */
    public SslContext forSni(String host, boolean acceptsEcdsa) {
        if (host == null) {
            return null;
        }
        Choice c = exact.get(host);
        if (c == null) {
            int dot = host.indexOf('.');
            if (dot > 0) {
                c = wildcard.get(host.substring(dot + 1));
            }
        }
        return c == null ? null : c.pick(acceptsEcdsa);
    }

    /** The context of the certificate called {@code name} (the default certificate setting); null if none. */
    public SslContext named(String name) {
        return name == null ? null : byName.get(name);
    }

    public boolean isEmpty() {
        return byName.isEmpty();
    }

    @Override
    public String toString() {
        return "TlsCertificates" + new TreeMap<>(byName).keySet();
    }

    /**
     * Checks every certificate and ticket key of {@code snapshot}, adding what is wrong to {@code errors}
     * (never quoting a key); {@link Prepared#build} then compiles, once the whole snapshot is known good.
     */
    public static Prepared prepare(Snapshot snapshot, List<ConfigError> errors) {
        List<ParsedCertificate> certs = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        Map<String, Map<String, ParsedCertificate>> bySni = new HashMap<>(); // per SNI, per key type
        for (int i = 0; i < snapshot.getCertificatesCount(); i++) {
            Certificate c = snapshot.getCertificates(i);
            String name = c.getName().isEmpty() ? "#" + i : c.getName();
            if (c.getName().isEmpty()) {
                errors.add(new ConfigError("certificate", name, "name", "must not be empty"));
            } else if (names.putIfAbsent(c.getName(), i) != null) {
                errors.add(new ConfigError("certificate", name, "name", "duplicate certificate name"));
            }
            ParsedCertificate parsed = ParsedCertificate.parse(c, name, errors);
            if (parsed == null) {
                continue;
            }
            certs.add(parsed);
            for (int s = 0; s < parsed.snis().size(); s++) {
                String sni = parsed.snis().get(s);
                ParsedCertificate other = bySni.computeIfAbsent(sni, k -> new HashMap<>()).putIfAbsent(parsed.keyType(), parsed);
                if (other != null) {
                    errors.add(new ConfigError("certificate", name, "snis[" + s + "]", "'" + sni + "' is already served by "
                            + other.name() + " with a " + other.keyType() + " key (expected: at most one certificate per name and key type)"));
                }
            }
        }
        return new Prepared(certs, TicketKeys.parse(snapshot, errors));
    }

    /** A checked snapshot's certificates, ready to compile. */
    public static final class Prepared {
        private final List<ParsedCertificate> certs;
        private final TicketKeys ticketKeys;

        private Prepared(List<ParsedCertificate> certs, TicketKeys ticketKeys) {
            this.certs = certs;
            this.ticketKeys = ticketKeys;
        }

        /**
         * Compiles one context per certificate, keeping {@code running}'s for unchanged ones (with this
         * snapshot's ticket keys set on them). An engine that still refuses a certificate makes a Nack.
         */
        public TlsCertificates build(TlsCertificates running) throws InvalidConfigException {
            if (certs.isEmpty()) {
                return NONE;
            }
            Map<String, SslContext> byName = new HashMap<>();
            Map<String, SslContext> byFingerprint = new HashMap<>();
            Map<String, Choice> exact = new HashMap<>();
            Map<String, Choice> wildcard = new HashMap<>();
            List<ConfigError> errors = new ArrayList<>();
            for (ParsedCertificate c : certs) {
                SslContext ctx = byFingerprint.get(c.fingerprint());
                if (ctx == null) {
                    ctx = running.byFingerprint.get(c.fingerprint());
                    try {
                        if (ctx == null) {
                            ctx = ContextFactory.server(c);
                        }
                        ticketKeys.applyTo(ctx);
                    } catch (Exception e) {
                        // the engine's message is not quoted: it could describe key material
                        errors.add(new ConfigError("certificate", c.name(), "cert_chain_pem",
                                "refused by the TLS engine (" + e.getClass().getSimpleName() + ")"));
                        continue;
                    }
                    byFingerprint.put(c.fingerprint(), ctx);
                }
                byName.put(c.name(), ctx);
                for (String sni : c.snis()) {
                    Map<String, Choice> map = sni.startsWith("*.") ? wildcard : exact;
                    String key = sni.startsWith("*.") ? sni.substring(2) : sni;
                    map.put(key, map.getOrDefault(key, new Choice(null, null)).with(c.keyType(), ctx));
                }
            }
            if (!errors.isEmpty()) {
                throw new InvalidConfigException(errors);
            }
            return new TlsCertificates(exact, wildcard, byName, byFingerprint);
        }
    }
}
