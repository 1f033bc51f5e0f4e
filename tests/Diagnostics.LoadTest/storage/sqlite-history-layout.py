#!/usr/bin/env python3
"""SQLite's cost per stored event message for the history tables (issue 22). Tenth pass: the schema as it is
(telemetry and device_events as rowid tables with their key's index) against WITHOUT ROWID for both, for one, for the
other. Eleventh pass ("store each event once"): the event's columns on its telemetry row (one table, one key), and
device_events without a key of its own, keyed by its telemetry row's rowid (an append at the table's right edge, no
random-place insert). The same rows, in batches of 500 in one BEGIN IMMEDIATE ... COMMIT as the cloud's
TelemetryBatchWriter, WAL and synchronous=FULL as SqliteConnectionFactory, devices interleaved as they arrive; the
layouts alternate in one run (every other round in reverse order). CPU is this process's (Python's own per-row work
differs by one statement per event between the two-table and one-table layouts: compare the differences, and see
the "python" and "python-1" layouts, which bind the same values in two statements / one and store nothing), file bytes are the database plus its WAL per
message.

  python3 tests/Diagnostics.LoadTest/storage/sqlite-history-layout.py DEVICES EVENTS_PER_DEVICE ROUNDS [DIRECTORY [LAYOUT,...]]

LAYOUT names: rowid (as stored), without-rowid, events-wr, telemetry-wr (tenth pass), one-table,
one-table-indexed (with a partial index over the rows that are events), events-by-rowid, python (two statements, nothing stored), python-1 (one statement, nothing stored) (eleventh
pass). Without a list: rowid, one-table, events-by-rowid.
"""
import sqlite3, os, time, sys

TELEMETRY = """CREATE TABLE telemetry (device_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, device_time_ms INTEGER NOT NULL, received_time_ms INTEGER NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (device_id, seq))"""
EVENTS = """CREATE TABLE device_events (device_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, code TEXT NOT NULL, condition TEXT NOT NULL, severity TEXT NOT NULL, message TEXT NOT NULL, device_time_ms INTEGER NOT NULL, received_time_ms INTEGER NOT NULL, PRIMARY KEY (device_id, seq))"""
# One table: the event's columns on the telemetry row, NULL for a message that is no event (heartbeats, status).
ONE_TABLE = """CREATE TABLE telemetry (device_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, device_time_ms INTEGER NOT NULL, received_time_ms INTEGER NOT NULL, payload BLOB NOT NULL, event_kind TEXT, code TEXT, condition TEXT, severity TEXT, message TEXT, PRIMARY KEY (device_id, seq))"""
# The same with a partial index, so that a device's events are found without reading its heartbeats and statuses
# (the events page, its count, the rollout error counts): one random-place key insert per event again, a smaller one.
EVENTS_OF_TELEMETRY = """CREATE INDEX ix_telemetry_events ON telemetry (device_id, seq) WHERE code IS NOT NULL"""
# device_events keyed by its telemetry row's rowid: INTEGER PRIMARY KEY is the table's rowid, rising with telemetry's.
EVENTS_BY_ROWID = """CREATE TABLE device_events (telemetry_rowid INTEGER PRIMARY KEY, kind TEXT NOT NULL, code TEXT NOT NULL, condition TEXT NOT NULL, severity TEXT NOT NULL, message TEXT NOT NULL)"""

INSERT_TELEMETRY = "INSERT OR IGNORE INTO telemetry (device_id, seq, kind, device_time_ms, received_time_ms, payload) VALUES (?,?,?,?,?,?)"
INSERT_EVENT = "INSERT OR IGNORE INTO device_events VALUES (?,?,?,?,?,?,?,?,?)"
EVENT = ("Raised", "E042", "paper_jam", "Error", "Paper jam in tray 2")


def two_tables(db, dev, seq, payload):
    db.execute(INSERT_TELEMETRY, (dev, seq, "Event", 1_700_000_000_000 + seq, 1_700_000_000_100 + seq, payload))
    db.execute(INSERT_EVENT, (dev, seq, *EVENT, 1_700_000_000_000 + seq, 1_700_000_000_100 + seq))


def one_table(db, dev, seq, payload):
    db.execute("INSERT OR IGNORE INTO telemetry VALUES (?,?,?,?,?,?,?,?,?,?,?)",
               (dev, seq, "Event", 1_700_000_000_000 + seq, 1_700_000_000_100 + seq, payload, *EVENT))


def events_by_rowid(db, dev, seq, payload):
    stored = db.execute(INSERT_TELEMETRY, (dev, seq, "Event", 1_700_000_000_000 + seq, 1_700_000_000_100 + seq, payload))
    if stored.rowcount == 1:  # a repeat stores nothing, as the key refuses it
        db.execute("INSERT INTO device_events VALUES (?,?,?,?,?,?)", (stored.lastrowid, *EVENT))


def python_only(db, dev, seq, payload):
    # The interpreter's share: the same tuples built, one cheap statement executed, nothing stored per row.
    db.execute("SELECT ?,?,?,?,?,?", (dev, seq, "Event", 1_700_000_000_000 + seq, 1_700_000_000_100 + seq, payload))
    db.execute("SELECT ?,?,?,?,?,?,?,?,?", (dev, seq, *EVENT, 1_700_000_000_000 + seq, 1_700_000_000_100 + seq))


def python_one_statement(db, dev, seq, payload):
    # The one-table layout's interpreter share: one statement of eleven values per event.
    db.execute("SELECT ?,?,?,?,?,?,?,?,?,?,?", (dev, seq, "Event", 1_700_000_000_000 + seq, 1_700_000_000_100 + seq, payload, *EVENT))


LAYOUTS = {
    "rowid": ([TELEMETRY, EVENTS], two_tables),
    "without-rowid": ([TELEMETRY + " WITHOUT ROWID", EVENTS + " WITHOUT ROWID"], two_tables),
    "events-wr": ([TELEMETRY, EVENTS + " WITHOUT ROWID"], two_tables),
    "telemetry-wr": ([TELEMETRY + " WITHOUT ROWID", EVENTS], two_tables),
    "one-table": ([ONE_TABLE], one_table),
    "one-table-indexed": ([ONE_TABLE, EVENTS_OF_TELEMETRY], one_table),
    "events-by-rowid": ([TELEMETRY, EVENTS_BY_ROWID], events_by_rowid),
    "python": ([TELEMETRY], python_only),
    "python-1": ([TELEMETRY], python_one_statement),
}


def run(name, ddl, insert, devices, per_device, batch):
    path = os.path.join(directory, f"history-{name}.db")
    for ext in ("", "-wal", "-shm"):
        if os.path.exists(path + ext): os.remove(path + ext)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=FULL")
    for s in ddl: db.execute(s)
    payload = os.urandom(90)
    msgs = [(f"printer-{d:05d}", s) for s in range(1, per_device + 1) for d in range(devices)]
    t0 = time.process_time(); w0 = time.perf_counter()
    for i in range(0, len(msgs), batch):
        db.execute("BEGIN IMMEDIATE")
        for dev, seq in msgs[i:i + batch]:
            insert(db, dev, seq, payload)
        db.execute("COMMIT")
    cpu = time.process_time() - t0; wall = time.perf_counter() - w0
    size = os.path.getsize(path) + (os.path.getsize(path + "-wal") if os.path.exists(path + "-wal") else 0)
    db.close()
    return cpu / len(msgs) * 1e6, wall / len(msgs) * 1e6, size / len(msgs)


devices, per_device, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
directory = sys.argv[4] if len(sys.argv) > 4 else "/tmp"
chosen = sys.argv[5].split(",") if len(sys.argv) > 5 else ["rowid", "one-table", "events-by-rowid"]
os.makedirs(directory, exist_ok=True)
print(f"sqlite {sqlite3.sqlite_version}, {devices} devices x {per_device} events, batches of 500, WAL, synchronous=FULL, load {os.getloadavg()[0]:.1f}")
totals = {name: [] for name in chosen}
for r in range(rounds):
    order = list(chosen)
    if r % 2: order.reverse()
    for name in order:
        ddl, insert = LAYOUTS[name]
        cpu, wall, size = run(name, ddl, insert, devices, per_device, 500)
        totals[name].append((cpu, wall, size))
        print(f"round {r+1} {name:15s} cpu {cpu:6.2f} µs/msg  wall {wall:6.2f} µs/msg  file {size:6.1f} B/msg  load {os.getloadavg()[0]:.1f}", flush=True)
base = sum(c for c, _, _ in totals[chosen[0]]) / rounds
for name in chosen:
    cpu = sum(c for c, _, _ in totals[name]) / rounds
    print(f"mean {name:15s} cpu {cpu:6.2f} µs/msg ({cpu / base:.2f}x {chosen[0]})  wall {sum(w for _, w, _ in totals[name]) / rounds:6.2f} µs/msg  file {totals[name][-1][2]:6.1f} B/msg")
