package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A certificate as the snapshot builder needs it: name, PEM chain, SNIs, and its private key still sealed
 * under the {@link MasterKey} (opened only while building the snapshot for the proxies). The sealed bytes
 * are left out of {@link #toString()} even though they are ciphertext.
 */
public record SealedCertificate(String name, String certChainPem, List<String> snis, byte[] sealedKey) {
    public SealedCertificate {
        requireNonNull(name, "name");
        requireNonNull(certChainPem, "certChainPem");
        snis = List.copyOf(requireNonNull(snis, "snis"));
        requireNonNull(sealedKey, "sealedKey");
    }

    @Override
    public String toString() {
        return "SealedCertificate[name=" + name + ", snis=" + snis + "]";
    }
}
