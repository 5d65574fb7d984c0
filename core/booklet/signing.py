"""PAdES signatures of booklets, with pyHanko: any PDF reader shows whether a booklet was
changed after the school signed it.

The key and certificate are the school's: ``GESTES_SIGNING_KEY`` / ``GESTES_SIGNING_CERT``
(PEM files, e.g. the organisation's own certificate or qualified seal), or, unset, a key and a
self-signed certificate made once in the data directory at first use (the key file mode
0600). The signature is an incremental update: the PDF/A-3b document it signs is unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.settings import Settings
from core.store import write_private

if TYPE_CHECKING:
    from core.booklet.identity import Identity

_LOCK = threading.Lock()


def signing_files(settings: Settings) -> tuple[Path, Path]:
    """The key and certificate (PEM) booklets are signed with; made once if not configured."""
    if settings.signing_key_file and settings.signing_cert_file:
        return settings.signing_key_file, settings.signing_cert_file
    key, cert = settings.data_dir / "signing.key.pem", settings.data_dir / "signing.cert.pem"
    with _LOCK:
        if not (key.exists() and cert.exists()):
            _make_self_signed(key, cert, settings.organisation_name or "Gestes")
    return key, cert


def signing_organisation(settings: Settings) -> str:
    """The organisation the booklets' certificate names (what a PDF reader shows as signer)."""
    return certificate_name(signing_files(settings)[1])


def certificate_name(cert: Path) -> str:
    """The organisation a certificate names, or its common name."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    subject = x509.load_pem_x509_certificate(cert.read_bytes()).subject
    names = subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME) or (
        subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    )
    return str(names[0].value) if names else subject.rfc4514_string()


def signer_warning(settings: Settings) -> str | None:
    """Why the booklets would not be signed in the organisation's name, or None."""
    if settings.signing_cert_file:
        return None  # the operator's own certificate: theirs to choose
    signer = signing_organisation(settings)
    if not settings.organisation_name:
        return (
            f"booklets are signed in the name of « {signer} », not of your organisation: set "
            "GESTES_ORGANISATION_NAME, or give your organisation's own certificate "
            "(GESTES_SIGNING_KEY_FILE, GESTES_SIGNING_CERT_FILE)."
        )
    if signer != settings.organisation_name:
        return (
            f"the certificate made earlier names « {signer} », not « "
            f"{settings.organisation_name} »: booklets keep being signed in the old name until "
            "a new one is made (docs/guides/booklet.md, « Signed »; booklets already signed stay "
            "valid)."
        )
    return None


def _make_self_signed(key_path: Path, cert_path: Path, organisation: str) -> None:
    key, certificate = self_signed(organisation)
    write_private(key_path, key)
    cert_path.write_bytes(certificate)


def self_signed(organisation: str) -> tuple[bytes, bytes]:
    """A new key and a self-signed certificate naming ``organisation`` (PEM, unencrypted):
    valid 30 years, as long as a booklet is kept."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} — livrets de compétences"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * 30))  # as long as the archive lasts
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, True, False, False, False),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return private, certificate.public_bytes(serialization.Encoding.PEM)


def sign_pdf(pdf: bytes, identity: Identity, *, signer_name: str, reason: str) -> bytes:
    """``pdf`` with a PAdES baseline signature (B-B) of the school appended."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = signers.SimpleSigner.load(str(identity.key), str(identity.cert))  # type: ignore[no-untyped-call]
    assert signer is not None, "the signing key or certificate could not be read"
    meta = signers.PdfSignatureMetadata(
        field_name="Signature",
        name=signer_name,
        reason=reason,
        location="France",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    _same_producer(writer)
    out = _pdf_17_signer()(meta, signer=signer).sign_pdf(writer)
    signed: bytes = out.getvalue()
    return signed


def _same_producer(writer: Any) -> None:
    """PDF/A wants the document information and the XMP metadata to agree; pyHanko writes
    its own name as the XMP's producer and appends it to the information's. Set to its name
    alone beforehand, both say the same."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.metadata.model import VENDOR

    info = writer.trailer_view.get("/Info")
    if info is not None:
        fields = generic.DictionaryObject(info.get_object())  # type: ignore[no-untyped-call]
        fields[generic.pdf_name("/Producer")] = generic.TextStringObject(VENDOR)
        writer.set_info(fields)


def _pdf_17_signer() -> type:
    from pyhanko.sign import signers

    class PdfA3Signer(signers.PdfSigner):
        """PAdES within PDF 1.7, as PDF/A-3b is: pyHanko would declare the ISO 32002
        extension for an ECDSA key and raise the catalog's /Version to 2.0. The signature is
        the same; only the ESIC extension (PAdES for PDF 1.7) is declared."""

        def register_extensions(self, pdf_out: Any, *, md_algorithm: str) -> None:
            ensure, register = pdf_out.ensure_output_version, pdf_out.register_extension
            pdf_out.ensure_output_version = lambda version: ensure(min(version, (1, 7)))
            pdf_out.register_extension = lambda ext: (
                register(ext) if str(ext.base_version) == "/1.7" else None
            )
            try:
                super().register_extensions(pdf_out, md_algorithm=md_algorithm)
            finally:
                del pdf_out.ensure_output_version, pdf_out.register_extension

    return PdfA3Signer


def signature_status(pdf: bytes, identity: Identity) -> Any:
    """pyHanko's validation of the booklet's signature against the school's certificates
    (its current one and those it signed with before)."""
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = [x509.Certificate.load(pem.unarmor(c.read_bytes())[2]) for c in identity.trusted]
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    [signature] = reader.embedded_signatures
    return validate_pdf_signature(signature, ValidationContext(trust_roots=roots))


def certificate_fingerprint(identity: Identity) -> str:
    """The SHA-256 of the signing certificate (DER), as ``openssl x509 -fingerprint
    -sha256`` prints it: what anyone compares with the certificate a PDF reader shows."""
    from asn1crypto import pem

    _, _, der = pem.unarmor(identity.cert.read_bytes())
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


NOT_SIGNED = "Ce fichier ne porte pas la signature de l'école : ce n'est pas le livret remis."
ALTERED = "La signature de ce fichier n'est pas valide : il a été modifié après sa remise."
APPENDED = "Ce fichier a été complété après sa signature : ce n'est pas le livret remis."
EXACT = "Ce fichier est exactement le livret remis par l'école, inchangé depuis sa signature."


def file_check(pdf: bytes, identity: Identity, code: str) -> tuple[bool, str]:
    """Whether ``pdf`` is a booklet this school signed for ``code``, unchanged since: its
    signature valid with the school's certificate, covering the whole file (nothing added
    after it), and the verification link it prints is this code's. The reason in French."""
    if not pdf.startswith(b"%PDF-"):
        return False, "Ce fichier n'est pas un PDF."
    try:
        status = signature_status(pdf, identity)
    except Exception:  # no signature, several, or unreadable: not one of ours as issued
        return (
            False,
            "Ce fichier ne porte pas la signature de l'école : il n'est pas le livret remis.",
        )
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if not (status.intact and status.valid and status.trusted):
        return (
            False,
            "La signature de ce fichier n'est pas valide : il a été modifié après sa remise.",
        )
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return False, APPENDED
    if code not in _verification_codes(pdf):
        return False, "Ce fichier est bien signé par l'école, mais c'est un autre livret."
    return (
        True,
        "Ce fichier est exactement le livret remis par l'école, inchangé depuis sa signature.",
    )


def _verification_codes(pdf: bytes) -> set[str]:
    """The codes of the verification links a PDF's pages link to (its QR code's and its
    printed link's), read from its link annotations (often in compressed object streams)."""
    from pypdf import PdfReader

    codes = set()
    for page in PdfReader(io.BytesIO(pdf), strict=False).pages:
        for annotation in page.get("/Annots", []) or []:
            action = annotation.get_object().get("/A") or {}
            uri = str(action.get("/URI", ""))
            if "/v/" in uri:
                codes.add(uri.rsplit("/v/", 1)[1])
    return codes
