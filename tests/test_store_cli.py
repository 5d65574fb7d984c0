"""Store commands: db upgrade, demo, trainee import, grid export, RGPD (on SQLite files)."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from core.cli.main import build_cli
from core.context import open_gestes
from core.settings import Settings


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GESTES_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GESTES_DATABASE_URL", raising=False)
    return tmp_path / "data"


def run(*args):
    return CliRunner().invoke(build_cli(), [str(a) for a in args])


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    """Seed the demo once per module; each test gets its own copy of the database file."""
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GESTES_DATA_DIR", str(folder))
        patch.delenv("GESTES_DATABASE_URL", raising=False)
        result = run("demo")
    assert result.exit_code == 0, result.output
    return folder, result


@pytest.fixture
def demo(demo_template, data_dir):
    folder, result = demo_template
    shutil.copytree(folder, data_dir)
    return result


def test_commands_refuse_a_database_that_is_not_migrated(data_dir):
    result = run("export", "grid", "--cohort", 1)
    assert result.exit_code == 1
    assert "lancez « gestes db upgrade »" in result.stderr
    upgraded = run("db", "upgrade")
    from alembic.script import ScriptDirectory

    from core.store.engine import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert upgraded.exit_code == 0 and f"Database at revision {head}" in upgraded.stdout
    assert (data_dir / "gestes.sqlite3").exists()


def test_demo_seeds_once_and_prints_logins(demo):
    assert "admin@gestes.demo" in demo.stdout and "gestes-demo-2026" in demo.stdout
    gestes = open_gestes(Settings())
    stats = gestes.store.exit_stats("cohort")
    assert sum(s.trainees for s in stats) == 40
    assert {gestes.store.records.cohort_grid(c).sector for c in (1, 2, 3)} == {
        "smartcity",
        "datacenter",
        "fibre",
    }
    finished = next(s for s in stats if s.exited)
    assert 0.5 <= finished.rate <= 0.95
    again = run("demo")
    assert again.exit_code == 0 and "nothing seeded" in again.stdout
    assert sum(s.trainees for s in open_gestes(Settings()).store.exit_stats("cohort")) == 40


def test_import_trainees_csv_all_or_nothing(demo, tmp_path):
    bad = tmp_path / "liste.csv"
    bad.write_text(
        "Prénom;Nom;E-mail\nAwa;Traoré;awa@exemple.fr\n;Sans;x@exemple.fr\nJo;Faux;pas-un-mail\n",
        encoding="utf-8",
    )
    result = run("import", "trainees", bad, "--cohort", 3)
    assert result.exit_code == 1
    assert "error: ligne 3 : prénom manquant" in result.stderr
    assert "error: ligne 4 : adresse e-mail invalide « pas-un-mail »" in result.stderr
    assert "Nothing imported." in result.stderr
    before = len(open_gestes(Settings()).store.records.cohort_grid(3).rows)
    good = tmp_path / "ok.csv"
    good.write_bytes("\ufeffprenom,nom,identifiant\nAwa,Traoré,FT-1\nJo,Martin,\n".encode())
    result = run("import", "trainees", good, "--cohort", 3)
    assert result.exit_code == 0 and "2 trainees added to cohort 3" in result.stdout
    assert len(open_gestes(Settings()).store.records.cohort_grid(3).rows) == before + 2


def test_import_trainees_xlsx_and_bad_files(demo, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["NOM", "Prénom", "Courriel"])
    sheet.append(["Cissé", "Adama", "adama@exemple.fr"])
    path = tmp_path / "liste.xlsx"
    workbook.save(path)
    assert run("import", "trainees", path, "--cohort", 1).exit_code == 0
    no_columns = tmp_path / "x.csv"
    no_columns.write_text("a,b\n1,2\n", encoding="utf-8")
    result = run("import", "trainees", no_columns, "--cohort", 1)
    assert "Colonne manquante : prénom, nom" in result.stderr
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert "illisible" in run("import", "trainees", broken, "--cohort", 1).stderr
    wrong = tmp_path / "list.pdf"
    wrong.write_bytes(b"%PDF-1.4")
    assert "fichier .csv ou .xlsx attendu" in run("import", "trainees", wrong, "--cohort", 1).stderr
    unknown_cohort = run("import", "trainees", path, "--cohort", 99)
    assert unknown_cohort.exit_code == 1 and "Promotion n° 99 introuvable" in unknown_cohort.stderr


def test_export_grid_csv_and_xlsx(demo, tmp_path):
    result = run("export", "grid", "--cohort", 3)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Stagiaire;Lire un dossier d'intervention")
    assert len(lines) == 13 and all(len(line.split(";")) == 15 for line in lines)
    assert any("Maîtrisé" in line for line in lines[1:])
    target = tmp_path / "grille.xlsx"
    assert run("export", "grid", "--cohort", 3, "--format", "xlsx", "-o", target).exit_code == 0
    sheet = load_workbook(io.BytesIO(target.read_bytes())).active
    assert sheet.max_row == 13 and sheet.max_column == 15
    assert sheet["A1"].value == "Stagiaire"
    assert run("export", "grid", "--cohort", 3, "--format", "pdf").exit_code == 2


def test_trainee_export_and_erase(demo):
    exported = run("trainee", "export", 1)
    assert exported.exit_code == 0
    data = json.loads(exported.stdout)
    name = data["trainee"]["last_name"]
    assert data["observations"] and data["record"]["trainee"]["last_name"] == name
    assert run("trainee", "erase", 1).exit_code == 2  # needs --yes
    assert run("trainee", "erase", 1, "--yes").exit_code == 0
    after = json.loads(run("trainee", "export", 1).stdout)
    assert after["trainee"]["first_name"] == "Stagiaire effacé·e"
    assert len(after["observations"]) == len(data["observations"])
    assert run("trainee", "export", 999).exit_code == 1


def test_an_unfinished_attempt_is_listed_and_abandoned_from_the_command_line(demo):
    import datetime as dt
    import uuid

    from core.judging.attempts import StepResult
    from core.store.tap_writer import Tap

    gestes = open_gestes(Settings())
    _, cohort = gestes.store.lookup.trainee(1)
    gesture = gestes.catalog_for(cohort).sectors[cohort.sector].curriculum.modules
    gesture_id = next(g for m in gesture for g in m.gestures)
    step = gestes.catalog_for(cohort).gesture(gesture_id).steps[0].key
    day = min(max(dt.date.today(), cohort.starts_on), cohort.ends_on)
    left = Tap(1, 1, gesture_id, "clileft0001", step, StepResult.REUSSI, day, uuid.uuid4().hex)
    (recorded,) = gestes.store.taps.record_steps([left])
    assert recorded.created, recorded
    listed = run("trainee", "unfinished", 1)
    assert listed.exit_code == 0 and "clileft0001" in listed.stdout and gesture_id in listed.stdout
    nobody = run("trainee", "abandon", 1, "clileft0001", "--by", "nobody@example.org")
    assert nobody.exit_code == 1 and "no account" in nobody.stderr
    admin = next(a for a in gestes.store.accounts.all() if a.role.value == "admin")
    gone = run("trainee", "abandon", 1, "clileft0001", "--by", admin.email)
    assert gone.exit_code == 0 and "1 taps kept" in gone.stdout
    assert "clileft0001" not in run("trainee", "unfinished", 1).stdout
    again = run("trainee", "abandon", 1, "clileft0001", "--by", admin.email)
    assert again.exit_code == 1 and "déjà validée ou abandonnée" in again.stderr


def test_a_backup_taken_while_running_restores_the_store(data_dir, tmp_path):
    assert run("db", "upgrade").exit_code == 0
    assert (
        run(
            "school", "create", "École A", "--city", "Lyon", "--territory", "territoire.lyon"
        ).exit_code
        == 0
    )
    # What cannot be made again lives beside the database: a photo, the keys.
    photo = data_dir / "evidence" / "ab" / "cd" / "abcd0123"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\xff\xd8\xff une photo de soudure")
    (data_dir / "secret.key").write_text("le secret des liens")
    # A school's own signing key and a justified absence's proof live there too.
    school_key = data_dir / "keys" / "schools" / "1" / "0123abcd.key.pem"
    proof = data_dir / "proofs" / "ef" / "ef0123"
    for kept in (school_key, proof):
        kept.parent.mkdir(parents=True)
        kept.write_bytes(b"ce qui ne se refait pas: " + kept.name.encode())
    (data_dir / "booklets").mkdir()
    (data_dir / "booklets" / "cache.pdf").write_bytes(b"%PDF- made again on demand")
    copy = tmp_path / "sauvegarde.sqlite3"
    done = run("db", "backup", copy)
    assert done.exit_code == 0 and copy.exists() and oct(copy.stat().st_mode)[-3:] == "600"
    run("school", "create", "École B", "--city", "Lyon", "--territory", "territoire.lyon")
    assert "École B" in run("school", "list").stdout
    # The machine is lost: only the backup file is left.
    for lost in (
        photo,
        data_dir / "secret.key",
        data_dir / "booklets" / "cache.pdf",
        school_key,
        proof,
    ):
        lost.unlink()
    assert run("db", "restore", copy).exit_code == 2  # asks for --yes
    assert run("db", "restore", copy, "--yes").exit_code == 0
    listed = run("school", "list").stdout
    assert "École A" in listed and "École B" not in listed  # as it was at the backup
    assert photo.read_bytes() == b"\xff\xd8\xff une photo de soudure"  # one file held all
    assert (data_dir / "secret.key").read_text() == "le secret des liens"
    assert school_key.read_bytes() == b"ce qui ne se refait pas: 0123abcd.key.pem"
    assert proof.read_bytes() == b"ce qui ne se refait pas: ef0123"
    assert oct(photo.stat().st_mode)[-3:] == "600"
    assert not (data_dir / "booklets" / "cache.pdf").exists()  # a cache is not carried
    import sqlite3

    with sqlite3.connect(data_dir / "gestes.sqlite3") as live:  # carried, then released
        assert live.execute("SELECT count(*) FROM stored_files").fetchone() == (0,)
    junk = tmp_path / "pas-une-base.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    refused = run("db", "restore", junk, "--yes")
    assert refused.exit_code == 1 and "pas une sauvegarde de Gestes" in refused.stderr


def test_a_postgresql_store_is_backed_up_and_restored_by_command(
    network_url, tmp_path, monkeypatch
):
    """`gestes db backup` runs pg_dump, `gestes db restore` checks the dump, ends the other
    processes' connections and restores in one transaction; a bad file changes nothing."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    for name, value in (
        ("GESTES_DATABASE_URL", network_url),
        ("GESTES_DATA_DIR", str(tmp_path / "data")),
        ("GESTES_FILE_STORE", "database"),
    ):
        monkeypatch.setenv(name, value)
    assert run("db", "upgrade").exit_code == 0
    school = ["school", "create", "--city", "Lyon", "--territory", "territoire.lyon"]
    assert run(*school, "École A").exit_code == 0
    assert run("school", "certificate", 1, "--make").exit_code == 0  # its key: a stored file
    signer = run("school", "certificate", 1).stdout
    dump = tmp_path / "gestes.dump"
    done = run("db", "backup", dump)
    assert done.exit_code == 0, done.output
    assert oct(dump.stat().st_mode)[-3:] == "600" and dump.read_bytes().startswith(b"PGDMP")
    run(*school, "École B")
    other = create_engine(network_url, pool_pre_ping=True)
    held = other.connect()  # another process, connected while the restore runs
    held.execute(text("SELECT 1"))
    restored = run("db", "restore", dump, "--yes")
    assert restored.exit_code == 0, restored.output
    assert "connections of other processes ended" in restored.stdout
    with pytest.raises(OperationalError, match="administrator command"):
        held.execute(text("SELECT 1"))  # ended: it would have held plans of the old tables
    with other.connect() as again:  # a new connection reads the restored store
        assert again.execute(text("SELECT count(*) FROM schools")).scalar_one() == 1
    listed = run("school", "list").stdout
    assert "École A" in listed and "École B" not in listed  # as it was at the backup
    assert run("school", "certificate", 1).stdout == signer  # the same key and certificate
    junk = tmp_path / "pas-un-dump"
    junk.write_bytes(b"PGDMP but not really" * 50)
    refused = run("db", "restore", junk, "--yes")
    assert refused.exit_code == 1 and "pas une sauvegarde PostgreSQL de Gestes" in refused.stderr
    assert "École A" in run("school", "list").stdout  # nothing touched
    other.dispose()


def test_a_backup_under_load_holds_every_write_acknowledged_before_it(tmp_path):
    """Writers keep recording while the backup runs: every entry the store acknowledged before
    the backup started is in the restored copy (SQLite's online backup is a snapshot)."""
    import datetime as dt
    import threading

    from sqlalchemy import select

    from core.context import open_gestes
    from core.domain import NewTrainee, Role
    from core.store import backup_database, restore_database
    from core.store import tables as t

    live = Settings(data_dir=tmp_path / "live")
    gestes = open_gestes(live, migrate=True)
    directory = gestes.store.directory
    school = directory.create_school(None, "École", "Lyon", "territoire.lyon")
    trainer = directory.create_user("f@e.fr", "F", "mot-de-passe-long", Role.TRAINER, [school])
    today = dt.date.today()
    cohort = directory.create_cohort(school, "fibre", "P", today - dt.timedelta(days=9), today)
    [trainee] = directory.add_trainees(cohort, [NewTrainee("Awa", "Diallo")])
    acknowledged: list[str] = []
    lock, enough, stop = threading.Lock(), threading.Event(), threading.Event()

    def write(worker: int) -> None:
        for n in range(10_000):
            if stop.is_set():
                return
            key = f"load-{worker}-{n}"
            gestes.store.observations.record_comment(trainee, trainer, key, today, key)
            with lock:  # acknowledged: the store returned
                acknowledged.append(key)
                if len(acknowledged) >= 60:
                    enough.set()

    writers = [threading.Thread(target=write, args=(w,)) for w in range(3)]
    for writer in writers:
        writer.start()
    try:
        assert enough.wait(60), "the writers did not get going"
        with lock:
            before = set(acknowledged)
        backup_database(live, tmp_path / "copy.sqlite3")  # while they go on writing
    finally:
        stop.set()
        for writer in writers:
            writer.join()
    assert len(acknowledged) > len(before)  # the writers were still going around the backup
    elsewhere = Settings(data_dir=tmp_path / "elsewhere")
    restore_database(elsewhere, tmp_path / "copy.sqlite3")
    restored = open_gestes(elsewhere)
    with restored.store.database.read() as session:
        kept = set(session.scalars(select(t.Observation.idempotency_key)))
    assert before <= kept
    restored.close()
    gestes.close()


def test_a_cohort_changes_curriculum_version_from_the_command_line(demo):
    """The cohort pinned to an older version (kept by the store): 'cohort curriculum' lists
    what changes, 'cohort upgrade' asks for --yes and records who moved it, 'cohort
    undo-upgrade' takes it back while nothing was recorded since."""
    from sqlalchemy import update

    from core.store import tables as t

    gestes = open_gestes(Settings())
    cohort = gestes.store.lookup.cohort(1)
    installed = gestes.catalog.sectors[cohort.sector]
    module = installed.curriculum.modules[0]
    older = installed.model_copy(
        update={
            "curriculum": installed.curriculum.model_copy(
                update={
                    "version": "2025.1",
                    "modules": (
                        module.model_copy(update={"hours": module.hours + 7}),
                        *installed.curriculum.modules[1:],
                    ),
                }
            )
        }
    )
    with gestes.store.database.write() as session:
        session.add(
            t.Curriculum(
                sector=cohort.sector, version="2025.1", definition=older.model_dump(mode="json")
            )
        )
        session.execute(
            update(t.Cohort).where(t.Cohort.id == 1).values(curriculum_version="2025.1")
        )
    shown = run("cohort", "curriculum", 1)
    assert shown.exit_code == 0, shown.output
    version = installed.curriculum.version
    assert f"Pinned 2025.1, installed {version}." in shown.stdout
    assert (
        f"* module « {module.name} » : heures {module.hours + 7} → {module.hours}" in shown.stdout
    )
    assert "level(s) would change." in shown.stdout
    admin = next(a for a in gestes.store.accounts.all() if a.role.value == "admin")
    unconfirmed = run("cohort", "upgrade", 1, "--by", admin.email)
    assert unconfirmed.exit_code == 1 and "--yes" in unconfirmed.stderr
    moved = run("cohort", "upgrade", 1, "--by", admin.email, "--yes")
    assert moved.exit_code == 0 and f"now follows version {version}" in moved.stdout
    assert (
        f"Last move: 2025.1 → {version} by {admin.name}, can be undone."
        in run("cohort", "curriculum", 1).stdout
    )
    back = run("cohort", "undo-upgrade", 1, "--by", admin.email)
    assert back.exit_code == 0 and "follows version 2025.1 again" in back.stdout
    again = run("cohort", "undo-upgrade", 1, "--by", admin.email)
    assert again.exit_code == 1 and "Aucun changement de version à défaire" in again.stderr


def test_corrections_from_the_command_line_are_traced(demo):
    """A cohort renamed, a trainee's name corrected, an account renamed: each said, each in
    its history under the account given with --by; deleting what has entries is refused."""
    gestes = open_gestes(Settings())
    admin = next(a for a in gestes.store.accounts.all() if a.role.value == "admin")
    renamed = run("cohort", "edit", 1, "--by", admin.email, "--name", "Promotion renommée")
    assert renamed.exit_code == 0 and "1 field(s) changed" in renamed.stdout
    fixed = run("trainee", "edit", 1, "--by", admin.email, "--last-name", "Corrigé")
    assert fixed.exit_code == 0 and "1 field(s) changed" in fixed.stdout
    history = run("cohort", "history", 1).stdout
    assert f"{admin.name}\tcohort 1\tnom\t" in history and "→ Promotion renommée" in history
    assert "trainee 1\tnom\t" in history and "→ Corrigé" in history
    trainer = next(a for a in gestes.store.accounts.all() if a.role.value == "trainer")
    account = run("user", "edit", trainer.id, "--by", admin.email, "--name", "Nom corrigé")
    assert account.exit_code == 0
    assert "nom\t" in run("user", "history", trainer.id).stdout
    unconfirmed = run("trainee", "delete", 1, "--by", admin.email)
    assert unconfirmed.exit_code == 1 and "--yes" in unconfirmed.stderr
    recorded = run("trainee", "delete", 1, "--by", admin.email, "--yes")
    assert recorded.exit_code == 1 and "sortie (abandon)" in recorded.stderr
    nobody = run("cohort", "edit", 1, "--by", "nobody@example.org", "--name", "X")
    assert nobody.exit_code == 1 and "no account" in nobody.stderr


def test_db_upgrade_creates_a_missing_database_and_says_what_it_cannot(tmp_path, monkeypatch):
    """On PostgreSQL: a database not created yet is created (the role may), then upgraded; a
    role that does not exist is said in French with the command that makes it — never a
    traceback."""
    import uuid

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from core.store import make_engine
    from tests.conftest import POSTGRES_URL

    name = f"gestes_new_{uuid.uuid4().hex[:8]}"
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    monkeypatch.setenv("GESTES_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GESTES_DATABASE_URL", url)
    try:
        made = run("db", "upgrade")
        assert made.exit_code == 0 and "Database at revision" in made.stdout, made.output
    finally:
        admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
    nobody = make_url(POSTGRES_URL).set(username="personne_ici", database=name)
    monkeypatch.setenv("GESTES_DATABASE_URL", nobody.render_as_string(hide_password=False))
    refused = run("db", "upgrade")
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert "Le rôle PostgreSQL « personne_ici » n'existe pas" in refused.stderr
    assert "createuser" in refused.stderr
