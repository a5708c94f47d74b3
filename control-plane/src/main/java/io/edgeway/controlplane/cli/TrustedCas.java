package io.edgeway.controlplane.cli;

import io.edgeway.dataplane.control.KeyMaterial;
import io.edgeway.dataplane.control.Pems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * --cacert: the CA certificates an https:// admin API is verified against, in place of the JDK's trust store
 * (as curl's --cacert does). The host name is still checked against the server's certificate.
 */
final class TrustedCas {
    private TrustedCas() {}

    static SSLContext sslContext(String file) {
        List<X509Certificate> cas;
        try {
            cas = Pems.certificates(Files.readString(Path.of(file), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new CliException("--cacert: cannot read " + file + " (" + e + ")");
        } catch (RuntimeException e) {
            throw new CliException("--cacert: " + file + " is not a PEM certificate file (" + e.getMessage() + ")");
        }
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, KeyMaterial.trustManagers(cas.toArray(X509Certificate[]::new)), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new CliException("--cacert: " + file + ": " + e.getMessage());
        }
    }
}
