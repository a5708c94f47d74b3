#!/usr/bin/env python3
"""Helpers for bench/tls-certs.sh (python3 with the `cryptography` package).

  gen DIR N BACKEND_PORT   a CA and N ECDSA P-256 leaves (c{i}.certs.test), written as config documents:
                           DIR/config-1.json (one certificate, c0), DIR/config-N.json (all N), and
                           DIR/config-N-route.json (all N plus one more route: a snapshot whose certificates
                           did not change); DIR/ca.pem to verify handshakes with
  handshakes PORT NAME CA SECONDS
                           full TLS 1.3 handshakes to NAME (SNI) one after another, no resumption, for
                           SECONDS; prints the number completed
"""
import datetime
import json
import socket
import ssl
import sys
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def pem_cert(c):
    return c.public_bytes(serialization.Encoding.PEM).decode()


def gen(out, n, backend):
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("edgeway bench CA")).issuer_name(name("edgeway bench CA"))
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, hashes.SHA256()))
    ca_pem = pem_cert(ca)
    open(f"{out}/ca.pem", "w").write(ca_pem)
    certs = []
    t0 = time.monotonic()
    for i in range(n):
        host = f"c{i}.certs.test"
        key = ec.generate_private_key(ec.SECP256R1())
        leaf = (x509.CertificateBuilder().subject_name(name(host)).issuer_name(ca.subject)
                .public_key(key.public_key()).serial_number(1000 + i)
                .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
                .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
                .sign(ca_key, hashes.SHA256()))
        key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
        certs.append({"name": f"c{i}", "cert": pem_cert(leaf) + ca_pem, "key": key_pem, "snis": [host]})
    ups = [{"name": "bench", "targets": [{"host": "127.0.0.1", "port": backend}]}]
    route = {"name": "bench", "paths": ["/"], "upstream": "bench"}
    extra = {"name": "extra", "paths": ["/extra/"], "upstream": "bench"}
    docs = {"1": {"upstreams": ups, "routes": [route], "certificates": certs[:1]},
            f"{n}": {"upstreams": ups, "routes": [route], "certificates": certs},
            f"{n}-route": {"upstreams": ups, "routes": [route, extra], "certificates": certs}}
    for k, d in docs.items():
        json.dump(d, open(f"{out}/config-{k}.json", "w"), separators=(",", ":"))
    print(f"{n} certificates in {time.monotonic() - t0:.1f} s", file=sys.stderr)


def handshakes(port, host, ca, seconds):
    ctx = ssl.create_default_context(cafile=ca)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.set_alpn_protocols(["http/1.1"])
    done = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with socket.create_connection(("127.0.0.1", port)) as raw:
            with ctx.wrap_socket(raw, server_hostname=host) as s:  # a new session each time: a full handshake
                if s.getpeercert()["subject"][0][0][1] != host:
                    sys.exit(f"wrong certificate for {host}: {s.getpeercert()['subject']}")
        done += 1
    print(done)


if __name__ == "__main__":
    cmd, *a = sys.argv[1:]
    if cmd == "gen":
        gen(a[0], int(a[1]), int(a[2]))
    elif cmd == "handshakes":
        handshakes(int(a[0]), a[1], a[2], float(a[3]))
    else:
        sys.exit(__doc__)
