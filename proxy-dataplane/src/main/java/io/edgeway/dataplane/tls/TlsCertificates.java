package io.edgeway.dataplane.tls;

import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.proto.v1.Certificate;
import io.edgeway.proto.v1.Snapshot;
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
 * instance; a connection keeps the context it chose, so a swap cuts none.
 *
 * <p>A certificate whose chain and key are unchanged since the running config (same fingerprint) keeps its
 * {@link CertificateContext}: it is neither parsed nor checked again, and its compiled context is reused.
 * Contexts compile on first use ({@link CertificateContext}), so applying 10,000 certificates costs their
 * checks, not 10,000 OpenSSL contexts.
 */
public final class TlsCertificates {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TlsCertificates.class);
    /** A snapshot with this many new certificates logs where their check's time went. */
    private static final int LOGGED_FRESH = 100;

    public static final TlsCertificates NONE = new TlsCertificates(Map.of(), Map.of(), Map.of(), Map.of(), TicketKeys.NONE, 0);

    /** The certificates serving one name: at most one per key type. */
    record Choice(CertificateContext ecdsa, CertificateContext rsa) {
        CertificateContext pick(boolean acceptsEcdsa) {
            if (acceptsEcdsa && ecdsa != null) {
                return ecdsa;
            }
            return rsa != null ? rsa : ecdsa; // an ECDSA-only name still answers; the client then decides
        }

        Choice with(CertificateContext c) {
            return c.keyType().equals("EC") ? new Choice(c, rsa) : new Choice(ecdsa, c);
        }
    }

    private final Map<String, Choice> exact;
    private final Map<String, Choice> wildcard;      // by the suffix after "*."
    private final Map<String, CertificateContext> byName;
    private final Map<String, CertificateContext> byFingerprint; // so the next snapshot can keep unchanged ones
    private final TicketKeys ticketKeys;
    private final int newlyChecked;

    private TlsCertificates(Map<String, Choice> exact, Map<String, Choice> wildcard, Map<String, CertificateContext> byName,
                            Map<String, CertificateContext> byFingerprint, TicketKeys ticketKeys, int newlyChecked) {
        this.exact = Map.copyOf(exact);
        this.wildcard = Map.copyOf(wildcard);
        this.byName = Map.copyOf(byName);
        this.byFingerprint = Map.copyOf(byFingerprint);
        this.ticketKeys = ticketKeys;
        this.newlyChecked = newlyChecked;
    }

    /**
     * The certificate for a client's SNI (lower case), exact then wildcard, ECDSA when the client accepts it
     * and one is there; null when no certificate names it.
     */
    CertificateContext forSni(String host, boolean acceptsEcdsa) {
        if (host == null) {
            return null;
        }
        Choice c = exact.get(host);
        if (c == null) {
            c = wildcardFor(host);
        }
        return c == null ? null : c.pick(acceptsEcdsa);
    }

    /** The wildcard certificates covering {@code host}'s first label; null if none. */
    private Choice wildcardFor(String host) {
        int dot = host.indexOf('.');
        return dot > 0 ? wildcard.get(host.substring(dot + 1)) : null;
    }

    /**
     * What {@link SniSelector} would pick for a client sending SNI {@code host} (lower case): the same exact-then-
     * wildcard lookup and the same ECDSA/RSA choice as {@link #forSni}, told rather than done.
     */
    public SniExplanation explain(String host) {
        Choice exactChoice = host == null ? null : exact.get(host);
        Choice wildcardChoice = host == null || exactChoice != null ? null : wildcardFor(host);
        Choice c = exactChoice != null ? exactChoice : wildcardChoice;
        String match = exactChoice != null ? SniExplanation.EXACT : wildcardChoice != null ? SniExplanation.WILDCARD
                : SniExplanation.NONE;
        String key = exactChoice != null ? host : wildcardChoice != null ? "*." + host.substring(host.indexOf('.') + 1) : null;
        return new SniExplanation(host, match, key, nameOf(c == null ? null : c.ecdsa()), nameOf(c == null ? null : c.rsa()),
                nameOf(forSni(host, true)), nameOf(forSni(host, false)));
    }

    private static String nameOf(CertificateContext c) {
        return c == null ? null : c.name();
    }

    /** The certificate called {@code name} (the default certificate setting); null if none. */
    CertificateContext named(String name) {
        return name == null ? null : byName.get(name);
    }

    /** The session ticket keys of this snapshot, for every context it serves. */
    TicketKeys ticketKeys() {
        return ticketKeys;
    }

    /**
     * How many of this snapshot's certificates were parsed and checked when it applied: those whose chain and
     * key the running config did not hold. The others kept their context (and the work already done for it).
     */
    public int newlyChecked() {
        return newlyChecked;
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
     * (never quoting a key); {@link Prepared#build} then assembles them, once the whole snapshot is known good.
     * A chain and key that {@code running} already holds are known good: only their names are checked again.
     */
    public static Prepared prepare(Snapshot snapshot, TlsCertificates running, List<ConfigError> errors) {
        long started = System.nanoTime();
        int count = snapshot.getCertificatesCount();
        String[] fingerprints = new String[count];
        List<NewCertificateChecks.Item> fresh = new ArrayList<>();
        int[] freshIndex = new int[count]; // this certificate's position in fresh, or -1 when running has it
        for (int i = 0; i < count; i++) {
            Certificate c = snapshot.getCertificates(i);
            fingerprints[i] = ParsedCertificate.fingerprint(c.getCertChainPem(), c.getPrivateKeyPem());
            freshIndex[i] = running.byFingerprint.containsKey(fingerprints[i]) ? -1 : fresh.size();
            if (freshIndex[i] >= 0) {
                fresh.add(new NewCertificateChecks.Item(c, name(c, i)));
            }
        }
        long fingerprinted = System.nanoTime();
        // the expensive part, on several cores when there are many (the rest of this method is map work)
        List<NewCertificateChecks.Result> checked = NewCertificateChecks.check(fresh);
        long checkedAt = System.nanoTime();

        List<Entry> entries = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        Map<String, CertificateContext> seen = new HashMap<>(); // this snapshot's, by fingerprint
        Map<String, Map<String, String>> bySni = new HashMap<>(); // per SNI, per key type: the certificate's name
        for (int i = 0; i < count; i++) {
            Certificate c = snapshot.getCertificates(i);
            String name = name(c, i);
            int before = errors.size();
            if (c.getName().isEmpty()) {
                errors.add(new ConfigError("certificate", name, "name", "must not be empty"));
            } else if (names.putIfAbsent(c.getName(), i) != null) {
                errors.add(new ConfigError("certificate", name, "name", "duplicate certificate name"));
            }
            List<String> snis = ParsedCertificate.snis(c, name, errors);
            String fingerprint = fingerprints[i];
            CertificateContext ctx = seen.get(fingerprint);
            if (ctx == null) {
                ctx = running.byFingerprint.get(fingerprint);
            }
            if (ctx == null) {
                NewCertificateChecks.Result result = checked.get(freshIndex[i]);
                errors.addAll(result.errors());
                if (result.keyType() != null) {
                    ctx = new CertificateContext(name, fingerprint, result.keyType(), c.getCertChainPem(), c.getPrivateKeyPem());
                }
            }
            if (ctx == null || errors.size() != before) {
                continue;
            }
            // A certificate whose name clashes is left out whole (issue 22's quarantine), so the first one keeps
            // serving every one of its names and the clashing one serves none.
            for (int s = 0; s < snis.size(); s++) {
                String other = bySni.getOrDefault(snis.get(s), Map.of()).get(ctx.keyType());
                if (other != null) {
                    errors.add(new ConfigError("certificate", name, "snis[" + s + "]", "'" + snis.get(s) + "' is already served by "
                            + other + " with a " + ctx.keyType() + " key (expected: at most one certificate per name and key type)"));
                }
            }
            if (errors.size() != before) {
                continue;
            }
            seen.put(fingerprint, ctx);
            entries.add(new Entry(name, snis, ctx));
            for (String sni : snis) {
                bySni.computeIfAbsent(sni, k -> new HashMap<>()).put(ctx.keyType(), name);
            }
        }
        TicketKeys keys = TicketKeys.parse(snapshot, errors);
        if (fresh.size() >= LOGGED_FRESH) {
            log.info("{} certificates, {} new: fingerprints {} ms, checks {} ms, names and SNI map {} ms", count, fresh.size(),
                    (fingerprinted - started) / 1_000_000, (checkedAt - fingerprinted) / 1_000_000,
                    (System.nanoTime() - checkedAt) / 1_000_000);
        }
        return new Prepared(entries, keys.equals(running.ticketKeys) ? running.ticketKeys : keys, fresh.size());
    }

    private static String name(Certificate c, int index) {
        return c.getName().isEmpty() ? "#" + index : c.getName();
    }

    /** One certificate of the snapshot: its name and SNIs, and the (possibly carried over) context. */
    private record Entry(String name, List<String> snis, CertificateContext context) {}

    /** A checked snapshot's certificates, ready to serve. */
    public static final class Prepared {
        private final List<Entry> entries;
        private final TicketKeys ticketKeys; // the running instance when unchanged: contexts then need no new keys
        private final int newlyChecked;

        private Prepared(List<Entry> entries, TicketKeys ticketKeys, int newlyChecked) {
            this.entries = entries;
            this.ticketKeys = ticketKeys;
            this.newlyChecked = newlyChecked;
        }

        /** The SNI mapping; nothing is compiled here (see {@link CertificateContext}), so nothing can fail. */
        public TlsCertificates build() {
            if (entries.isEmpty()) {
                return NONE;
            }
            Map<String, CertificateContext> byName = new HashMap<>();
            Map<String, CertificateContext> byFingerprint = new HashMap<>();
            Map<String, Choice> exact = new HashMap<>();
            Map<String, Choice> wildcard = new HashMap<>();
            for (Entry e : entries) {
                byName.put(e.name(), e.context());
                byFingerprint.put(e.context().fingerprint(), e.context());
                for (String sni : e.snis()) {
                    Map<String, Choice> map = sni.startsWith("*.") ? wildcard : exact;
                    String key = sni.startsWith("*.") ? sni.substring(2) : sni;
                    map.put(key, map.getOrDefault(key, new Choice(null, null)).with(e.context()));
                }
            }
            return new TlsCertificates(exact, wildcard, byName, byFingerprint, ticketKeys, newlyChecked);
        }
    }
}
