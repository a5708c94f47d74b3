package io.edgeway.dataplane.tls;

import io.edgeway.dataplane.config.ConfigError;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The leaf of a PEM chain as DER, for the check of a new certificate ({@link NewCertificateCheck}), read in place:
 * no copy of the leaf's text, its body or the intermediates' text in the usual case (one CA's intermediates after
 * thousands of leaves), where those copies were a sixth of what applying 10,000 new certificates allocated.
 */
final class LeafPem {
    private LeafPem() {}

    /**
     * The DER of the chain's leaf, the intermediates after it parsed (once per distinct text, with the JDK) and
     * the leaf itself left to the caller ({@link NewCertificateCheck}); null with the reason added to
     * {@code errors}. Accepts the PEM layouts {@link ParsedCertificate} accepts: a plain block is decoded here, anything else
     * goes through the JDK's PEM reader.
     */
    static byte[] leafDer(String pem, String name, List<ConfigError> errors) {
        try {
            int leafEnd = pem.indexOf(ParsedCertificate.END_CERTIFICATE);
            int restFrom = leafEnd < 0 ? pem.length() : leafEnd + ParsedCertificate.END_CERTIFICATE.length();
            boolean restBlank = isBlank(pem, restFrom);
            int leafTo = restBlank ? pem.length() : restFrom;
            byte[] der = plainBlockDer(pem, 0, leafTo);
            if (der == null) {
                List<X509Certificate> parsed = ParsedCertificate.parse(pem.substring(0, leafTo));
                der = parsed.size() == 1 ? parsed.get(0).getEncoded() : null;
            }
            if (der != null && ParsedCertificate.isOneDerElement(der) && (restBlank || !ParsedCertificate.intermediates(pem, restFrom).isEmpty())) {
                return der;
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            // falls through: the reason is reported without the parser's text, which may quote input
        }
        errors.add(new ConfigError("certificate", name, "cert_chain_pem", "does not parse (expected: PEM X.509 certificates, leaf first)"));
        return null;
    }

    /** {@code s.substring(from).isBlank()}, without the copy. */
    private static boolean isBlank(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The DER of a plain PEM certificate block (header alone on its line, nothing else around it) in
     * {@code pem.substring(from, to)}, without copying it (nor its strip, nor its body); null otherwise.
     */
    static byte[] plainBlockDer(String pem, int from, int to) {
        while (from < to && Character.isWhitespace(pem.charAt(from))) {
            from++;
        }
        while (to > from && Character.isWhitespace(pem.charAt(to - 1))) {
            to--;
        }
        int bodyFrom = from + ParsedCertificate.BEGIN_CERTIFICATE.length();
        int bodyTo = to - ParsedCertificate.END_CERTIFICATE.length();
        if (bodyTo > bodyFrom && pem.startsWith(ParsedCertificate.BEGIN_CERTIFICATE, from) && pem.startsWith(ParsedCertificate.END_CERTIFICATE, bodyTo)) {
            char first = pem.charAt(bodyFrom);
            int dash = pem.indexOf('-', bodyFrom);
            if ((first == '\n' || first == '\r') && (dash < 0 || dash >= bodyTo)) {
                return PemBase64.decode(pem, bodyFrom, bodyTo);
            }
        }
        return null;
    }
}
