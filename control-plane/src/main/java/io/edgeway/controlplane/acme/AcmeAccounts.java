package io.edgeway.controlplane.acme;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Certificate;
import io.edgeway.controlplane.store.AcmeStore;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.security.KeyPair;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.exception.AcmeException;

/**
 * The ACME accounts of the fleet: one per directory and contact email, created on first use (with External
 * Account Binding when the certificate's spec has it), its key sealed in PostgreSQL so every replica logs in
 * as the same account.
 */
final class AcmeAccounts {
    private final AcmeStore store;
    private final AcmeTrust trust;

    AcmeAccounts(AcmeStore store, AcmeTrust trust) {
        this.store = requireNonNull(store, "store");
        this.trust = requireNonNull(trust, "trust");
    }

    Login login(Certificate cert) throws AcmeException {
        URI directory = cert.acme().directory();
        String email = cert.acme().email();
        Session session = trust.session(directory);
        AcmeStore.Account stored = store.account(directory.toString(), email);
        if (stored != null) {
            try {
                return session.login(new URL(stored.url()), AcmeKeys.keyPair(stored.pkcs8Key()));
            } catch (MalformedURLException e) {
                throw new AcmeException("stored account URL: " + e.getMessage());
            }
        }
        KeyPair key = AcmeKeys.newKeyPair();
        AccountBuilder b = new AccountBuilder().agreeToTermsOfService().useKeyPair(key);
        if (email != null) {
            b.addEmail(email);
        }
        if (cert.acme().eabKid() != null) {
            String hmac = store.eabHmac(cert.name());
            if (hmac == null) {
                throw new AcmeException("acme.eab.hmac: not stored (expected: set it with PUT /api/v1/certificates/" + cert.name() + ")");
            }
            b.withKeyIdentifier(cert.acme().eabKid(), hmac);
        }
        Login login = b.createLogin(session);
        store.saveAccount(directory.toString(), email, key.getPrivate().getEncoded(), login.getAccountLocation().toString());
        // Another replica may have raced us to the first account: use whichever was stored.
        AcmeStore.Account winner = store.account(directory.toString(), email);
        if (!winner.url().equals(login.getAccountLocation().toString())) {
            try {
                return session.login(new URL(winner.url()), AcmeKeys.keyPair(winner.pkcs8Key()));
            } catch (MalformedURLException e) {
                throw new AcmeException("stored account URL: " + e.getMessage());
            }
        }
        return login;
    }
}
