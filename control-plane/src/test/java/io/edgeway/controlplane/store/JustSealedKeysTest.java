package io.edgeway.controlplane.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeway.controlplane.TestCerts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A certificate key this process just sealed is opened for the next snapshot from memory, not decrypted, and
 * only for those exact sealed bytes: another seal, a second opening or an aged entry goes through AES-GCM, so the
 * memory can never hand out a stale or foreign key.
 */
class JustSealedKeysTest {
    private final MasterKey masterKey = TestCerts.masterKey();

    @Test
    void aJustSealedKeyOpensWithoutDecryptionEvenAfterTheWriterWipedItsCopy() {
        byte[] plaintext = bytes("key-1");
        byte[] sealed = masterKey.encryptCertificateKey(plaintext);
        Arrays.fill(plaintext, (byte) 0); // what ConfigApi does right after sealing

        assertThat(masterKey.openCertificateKey(sealed)).isEqualTo(bytes("key-1"));
        assertThat(masterKey.certificateKeyDecryptions()).isZero();
        assertThat(masterKey.justSealedCount()).isZero(); // handed out once, then forgotten
    }

    @Test
    void everyOtherSealedValueIsDecryptedToItsOwnPlaintext() {
        byte[] first = masterKey.encryptCertificateKey(bytes("key-1"));
        byte[] replacement = masterKey.encryptCertificateKey(bytes("key-2")); // the certificate's key replaced
        byte[] sameKeyResealed = masterKey.encrypt(bytes("key-1")); // equal plaintext, other nonce: other bytes

        assertThat(masterKey.openCertificateKey(first)).isEqualTo(bytes("key-1"));
        assertThat(masterKey.openCertificateKey(replacement)).isEqualTo(bytes("key-2"));
        assertThat(masterKey.certificateKeyDecryptions()).isZero();
        assertThat(masterKey.openCertificateKey(sameKeyResealed)).isEqualTo(bytes("key-1"));
        // a second opening of the same bytes (a rollback to the first seal) decrypts, with the same result
        assertThat(masterKey.openCertificateKey(first)).isEqualTo(bytes("key-1"));
        assertThat(masterKey.certificateKeyDecryptions()).isEqualTo(2);
    }

    @Test
    void aKeyNoBuildTakesIsForgottenAtTheSecondSweep() {
        byte[] sealed = masterKey.encryptCertificateKey(bytes("key-1"));
        masterKey.sweepJustSealed(); // an older revision's build ending while this write commits
        assertThat(masterKey.justSealedCount()).isEqualTo(1);
        masterKey.sweepJustSealed();
        assertThat(masterKey.justSealedCount()).isZero();
        assertThat(masterKey.openCertificateKey(sealed)).isEqualTo(bytes("key-1"));
        assertThat(masterKey.certificateKeyDecryptions()).isEqualTo(1);
    }

    @Test
    void aKeySealedByAnotherMasterKeyIsNeverOpenedFromThisOnesMemory() {
        MasterKey other = MasterKey.from(Map.of("EDGEWAY_MASTER_KEY", Base64.getEncoder().encodeToString(new byte[32])),
                Path.of("unused"));
        byte[] foreign = other.encryptCertificateKey(bytes("key-other"));
        assertThatThrownBy(() -> masterKey.openCertificateKey(foreign)).isInstanceOf(IllegalStateException.class);
        assertThat(other.openCertificateKey(foreign)).isEqualTo(bytes("key-other"));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
