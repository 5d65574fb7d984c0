"""One set of keys for every machine of a network.

With the files in the database (``GESTES_FILE_STORE=database``), booklets printed on any
machine must carry the same signature and their verification links the same secret. The
first machine to start puts the keys it made (or found) in its data directory into the file
store, all at once; every other machine takes that set into its own data directory, where
the signing code reads them (mode 0600). Keys configured explicitly (``GESTES_SECRET_KEY``,
``GESTES_SIGNING_KEY_FILE``) are the operator's to distribute and are left alone.
"""

from __future__ import annotations

import json

from core.settings import Settings
from core.store import FileStore, write_private

SHARED = "keys/keys.json"
GENERATED = ("secret.key", "signing.key.pem", "signing.cert.pem")


def share_keys(settings: Settings, files: FileStore) -> None:
    if settings.file_store != "database":
        return
    from core.booklet.signing import signing_files

    settings.signing_key()  # made in the data directory if missing and not configured
    signing_files(settings)
    mine = {
        name: (settings.data_dir / name).read_text()
        for name in GENERATED
        if (settings.data_dir / name).exists()
    }
    kept: dict[str, str] = json.loads(files.write_once(SHARED, json.dumps(mine).encode()))
    for name, text in kept.items():  # the set as a whole: a key never beside another's cert
        if mine.get(name) != text:
            write_private(settings.data_dir / name, text.encode())
