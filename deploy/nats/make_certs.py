"""Certificates for TLS between the services and NATS: a CA, a server certificate, a client certificate per service.

    python3 deploy/nats/make_certs.py                     # into deploy/nats/tls (ignored by git)
    python3 deploy/nats/make_certs.py --out DIR --server-name nats.example.org --service enrollment

Writes
    DIR/ca.crt, DIR/ca.key                     the CA; keep ca.key offline, it is only needed to issue more
    DIR/server/{ca.crt,server.crt,server.key}  for nats-server (mounted at /etc/nats/tls)
    DIR/<service>/{ca.crt,client.crt,client.key}  for each service (RINNALLA_NATS_TLS_CA/_CERT/_KEY)

An existing DIR/ca.crt and ca.key are reused, so running it again adds or renews certificates under the same
CA. Private keys are written readable by their owner only. Meant for development, tests and small
deployments; where an organisation runs its own CA, have it issue the same certificates instead.
"""

from __future__ import annotations

import argparse
import datetime
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SERVICES = ("enrollment", "caselog", "network", "billing")
SERVER_NAMES = ("nats", "localhost", "127.0.0.1")
ORGANISATION = "Rinnalla"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    path.chmod(0o600)  # an existing file keeps its mode through os.open


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _builder(
    subject: x509.Name, issuer: x509.Name, key: ec.EllipticCurvePrivateKey, days: int
) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
    )


def load_or_make_ca(out: Path, days: int) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    cert_path, key_path = out / "ca.crt", out / "ca.key"
    if cert_path.exists() and key_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise SystemExit(f"{key_path} is not an EC key made by this script")
        return x509.load_pem_x509_certificate(cert_path.read_bytes()), key
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("Rinnalla NATS CA")
    cert = (
        _builder(name, name, key, days * 5)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    _write_key(key_path, key)
    _write_cert(cert_path, cert)
    return cert, key


def _alternative_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def issue(
    ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey],
    common_name: str,
    alternative_names: list[str],
    usage: x509.ObjectIdentifier,
    days: int,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    ca_cert, ca_key = ca
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        _builder(_name(common_name), ca_cert.subject, key, days)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(x509.SubjectAlternativeName([_alternative_name(n) for n in alternative_names]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def make_certs(out: Path, server_names: list[str], services: list[str], days: int) -> None:
    ca = load_or_make_ca(out, days)
    server_cert, server_key = issue(ca, server_names[0], server_names, ExtendedKeyUsageOID.SERVER_AUTH, days)
    _write_cert(out / "server" / "ca.crt", ca[0])
    _write_cert(out / "server" / "server.crt", server_cert)
    _write_key(out / "server" / "server.key", server_key)
    for service in services:
        client_cert, client_key = issue(ca, service, [service], ExtendedKeyUsageOID.CLIENT_AUTH, days)
        _write_cert(out / service / "ca.crt", ca[0])
        _write_cert(out / service / "client.crt", client_cert)
        _write_key(out / service / "client.key", client_key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "tls")
    parser.add_argument(
        "--server-name",
        action="append",
        help=f"host name or IP address clients use for NATS (repeatable; default: {', '.join(SERVER_NAMES)})",
    )
    parser.add_argument("--service", action="append", help=f"client certificate for (default: {', '.join(SERVICES)})")
    parser.add_argument("--days", type=int, default=365, help="validity of server and client certificates")
    args = parser.parse_args()
    make_certs(args.out, args.server_name or list(SERVER_NAMES), args.service or list(SERVICES), args.days)
    print(f"certificates written to {args.out}")


if __name__ == "__main__":
    main()
