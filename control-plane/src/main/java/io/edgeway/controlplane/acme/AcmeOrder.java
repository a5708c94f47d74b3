package io.edgeway.controlplane.acme;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.discovery.Convergence;
import io.edgeway.controlplane.model.AcmeSpec;
import io.edgeway.controlplane.model.Certificate;
import io.edgeway.controlplane.model.Pem;
import io.edgeway.controlplane.store.AcmeStatus;
import io.edgeway.controlplane.store.AcmeStore;
import java.io.StringWriter;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.challenge.TlsAlpn01Challenge;
import org.shredzone.acme4j.exception.AcmeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ACME order for one managed certificate, from placing (or resuming) it to storing the issued chain.
 * The order's URL and certificate key are stored before its challenges are published, so a replica that takes
 * the lock over after this one dies resumes the same order instead of placing a second. HTTP-01 tokens go to
 * the whole fleet in a snapshot (or TLS-ALPN-01 certificates, RFC 8737, for fleets that only open 443), and
 * the CA is told to validate only once every connected proxy has acked it.
 */
final class AcmeOrder {
    private static final Logger log = LoggerFactory.getLogger(AcmeOrder.class);
    private static final Duration CA_WAIT = Duration.ofSeconds(90);

    private final AcmeStore store;
    private final AcmeAccounts accounts;
    private final Convergence fleet;
    private final AcmeSettings settings;
    private final io.edgeway.controlplane.store.FleetAcks fleetAcks;
    /** A replica whose heartbeat is older than this is gone, and its nodes are not waited for. */
    private static final Duration STALE_REPLICA = Duration.ofSeconds(10);

    AcmeOrder(AcmeStore store, AcmeAccounts accounts, Convergence fleet, AcmeSettings settings) {
        this.fleetAcks = new io.edgeway.controlplane.store.FleetAcks(store.db());
        this.store = requireNonNull(store, "store");
        this.accounts = requireNonNull(accounts, "accounts");
        this.fleet = requireNonNull(fleet, "fleet");
        this.settings = requireNonNull(settings, "settings");
    }

    /** Thrown when the issuer's budget has no room; not a failure of the certificate. */
    static final class BudgetExhausted extends Exception {
        BudgetExhausted(String message) {
            super(message);
        }
    }

    /** Obtains {@code cert} and stores it (a new revision); throws with the CA's or the fleet's reason. */
    void run(Certificate cert, AcmeStatus status) throws AcmeException, InterruptedException, BudgetExhausted {
        String name = cert.name();
        URI directory = cert.acme().directory();
        Login login = accounts.login(cert);
        Order order = resume(login, status, cert);
        KeyPair key;
        if (order == null) {
            key = AcmeKeys.newKeyPair();
            synchronized (this) { // orders run concurrently: check and count the budget as one step
                checkBudget(directory.toString());
                store.orderPlaced(directory.toString(), name);
            }
            order = login.newOrder().domains(cert.snis()).create();
            store.orderPlaced(name, order.getLocation().toString(), cert.snis(), key.getPrivate().getEncoded(), status);
            log.info("certificate {}: order placed with {}", name, directory);
        } else {
            key = AcmeKeys.keyPair(store.orderKey(name));
            log.info("certificate {}: resuming order {}", name, order.getLocation());
        }
        try {
            if (order.getStatus() == Status.PENDING) {
                authorize(cert, order);
            }
            if (order.getStatus() != Status.VALID) {
                Status ready = Polling.await(order, EnumSet.of(Status.READY, Status.VALID, Status.INVALID), CA_WAIT);
                if (ready == Status.INVALID) {
                    throw new AcmeException("order " + ready.name().toLowerCase() + problem(order.getError()));
                }
                if (ready == Status.READY) {
                    order.execute(key);
                }
                Status done = ready == Status.VALID ? ready
                        : Polling.await(order, EnumSet.of(Status.VALID, Status.INVALID), CA_WAIT);
                if (done != Status.VALID) {
                    throw new AcmeException("order " + done.name().toLowerCase() + problem(order.getError()));
                }
            }
            StringWriter pem = new StringWriter();
            order.getCertificate().writeCertificate(pem);
            Pem.Chain chain = Pem.certificate(pem.toString());
            store.issued(name, pem.toString(), key.getPrivate().getEncoded(), chain.expiresAt(), chain.fingerprintSha256());
            log.info("certificate {}: issued, expires {}", name, chain.expiresAt());
        } catch (java.io.IOException e) {
            throw new AcmeException("certificate download: " + e.getMessage(), e);
        } finally {
            store.removeChallenges(name);
        }
    }

    /** The stored order in progress for {@code cert}'s SNIs, if the CA still has it usable; else null. */
    private Order resume(Login login, AcmeStatus status, Certificate cert) {
        if (status.orderUrl() == null || !status.orderSnis().equals(cert.snis()) || store.orderKey(cert.name()) == null) {
            return null;
        }
        try {
            Order order = login.bindOrder(new URL(status.orderUrl()));
            Status s = order.getStatus();
            return s == Status.INVALID || s == Status.UNKNOWN ? null : order;
        } catch (MalformedURLException | RuntimeException e) {
            log.info("certificate {}: stored order not usable ({}); placing a new one", cert.name(), e.toString());
            return null;
        }
    }

    private void authorize(Certificate cert, Order order) throws AcmeException, InterruptedException {
        boolean alpn = cert.acme().challenge().equals(AcmeSpec.TLS_ALPN_01);
        Map<String, String> tokens = new LinkedHashMap<>();
        Map<String, Map.Entry<String, byte[]>> alpnCerts = new LinkedHashMap<>();
        List<Challenge> challenges = new ArrayList<>();
        List<Authorization> pending = new ArrayList<>();
        for (Authorization auth : order.getAuthorizations()) {
            if (auth.getStatus() == Status.VALID) {
                continue;
            }
            String domain = auth.getIdentifier().getDomain();
            if (alpn) {
                TlsAlpn01Challenge ch = auth.findChallenge(TlsAlpn01Challenge.class).orElseThrow(() ->
                        new AcmeException(domain + ": the CA offers no tls-alpn-01 challenge"));
                KeyPair key = AcmeKeys.newKeyPair();
                alpnCerts.put(domain, Map.entry(AcmeKeys.pem(AlpnCertificate.create(key, domain, ch.getAcmeValidation())),
                        key.getPrivate().getEncoded()));
                challenges.add(ch);
            } else {
                Http01Challenge ch = auth.findChallenge(Http01Challenge.class).orElseThrow(() ->
                        new AcmeException(domain + ": the CA offers no http-01 challenge"));
                tokens.put(ch.getToken(), ch.getAuthorization());
                challenges.add(ch);
            }
            pending.add(auth);
        }
        if (pending.isEmpty()) {
            return;
        }
        long revision = alpn ? store.addTlsAlpnChallenges(cert.name(), alpnCerts) : store.addHttpChallenges(cert.name(), tokens);
        awaitFleet(revision);
        for (Challenge ch : challenges) {
            if (ch.getStatus() == Status.PENDING) {
                ch.trigger();
            }
        }
        for (Authorization auth : pending) {
            Status s = Polling.await(auth, EnumSet.of(Status.VALID, Status.INVALID, Status.DEACTIVATED, Status.EXPIRED,
                    Status.REVOKED), CA_WAIT);
            if (s != Status.VALID) {
                String why = auth.getChallenges().stream().map(Challenge::getError)
                        .flatMap(java.util.Optional::stream).map(Object::toString).findFirst().orElse("no reason given");
                throw new AcmeException(auth.getIdentifier().getDomain() + ": authorization " + s.name().toLowerCase()
                        + ": " + why);
            }
        }
        order.update();
    }

    /**
     * Waits until every proxy has acked {@code revision} (the snapshot carrying the challenges): those connected
     * here through the ledger (a rejection fails at once), then those connected to other live replicas through
     * what they record in PostgreSQL.
     */
    private void awaitFleet(long revision) throws AcmeException, InterruptedException {
        java.time.Instant deadline = java.time.Instant.now().plus(settings.ackTimeout());
        try {
            Convergence.Result r = fleet.await(revision, settings.ackTimeout()).get();
            if (!r.pending().isEmpty() || !r.rejected().isEmpty()) {
                throw new AcmeException("the challenge did not reach every proxy: pending " + r.pending()
                        + ", rejected " + r.rejected());
            }
        } catch (ExecutionException e) {
            throw new AcmeException("waiting for the proxies: " + e.getCause());
        }
        List<String> behind = fleetAcks.behind(revision, STALE_REPLICA);
        while (!behind.isEmpty()) {
            if (java.time.Instant.now().isAfter(deadline)) {
                throw new AcmeException("the challenge did not reach every proxy: pending " + behind);
            }
            Thread.sleep(100);
            behind = fleetAcks.behind(revision, STALE_REPLICA);
        }
    }

    private void checkBudget(String directory) throws BudgetExhausted {
        int placed = store.ordersSince(directory, java.time.Instant.now().minus(settings.budgetWindow()));
        if (placed >= settings.budget()) {
            throw new BudgetExhausted("issuer budget reached: " + placed + " orders in the last "
                    + settings.budgetWindow() + " (EDGEWAY_ACME_BUDGET " + settings.budget() + ")");
        }
    }

    private static String problem(java.util.Optional<org.shredzone.acme4j.Problem> p) {
        return p.map(x -> ": " + x).orElse("");
    }
}
