#!/usr/bin/env python3
"""SQLite's cost per stored event message for the two history tables (issue 22, tenth pass): the schema as it is
(telemetry and device_events as rowid tables with their key's index) against WITHOUT ROWID for both, for one, for the
other; the same rows, in batches of 500 in one BEGIN IMMEDIATE ... COMMIT as the cloud's TelemetryBatchWriter, WAL and
synchronous=FULL as SqliteConnectionFactory, devices interleaved as they arrive; the layouts alternate in one run. CPU
is this process's (Python's own per-row work is the same in every layout: compare the differences), file bytes are
the database plus its WAL per message.

  python3 tests/Diagnostics.LoadTest/storage/sqlite-history-layout.py DEVICES EVENTS_PER_DEVICE ROUNDS [DIRECTORY]
"""
import sqlite3, os, time, sys, resource
OLD = ["""CREATE TABLE telemetry (device_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, device_time_ms INTEGER NOT NULL, received_time_ms INTEGER NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (device_id, seq))""",
       """CREATE TABLE device_events (device_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, code TEXT NOT NULL, condition TEXT NOT NULL, severity TEXT NOT NULL, message TEXT NOT NULL, device_time_ms INTEGER NOT NULL, received_time_ms INTEGER NOT NULL, PRIMARY KEY (device_id, seq))"""]
NEW = [s + " WITHOUT ROWID" for s in OLD]
EVENTS_ONLY = [OLD[0], NEW[1]]
TELEMETRY_ONLY = [NEW[0], OLD[1]]
def run(name, ddl, devices, per_device, batch):
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
            db.execute("INSERT OR IGNORE INTO telemetry VALUES (?,?,?,?,?,?)", (dev, seq, "Event", 1_700_000_000_000 + seq, 1_700_000_000_100 + seq, payload))
            db.execute("INSERT OR IGNORE INTO device_events VALUES (?,?,?,?,?,?,?,?,?)", (dev, seq, "Raised", "E042", "paper_jam", "Error", "Paper jam in tray 2", 1_700_000_000_000 + seq, 1_700_000_000_100 + seq))
        db.execute("COMMIT")
    cpu = time.process_time() - t0; wall = time.perf_counter() - w0
    size = os.path.getsize(path) + (os.path.getsize(path + "-wal") if os.path.exists(path + "-wal") else 0)
    db.close()
    return cpu / len(msgs) * 1e6, wall / len(msgs) * 1e6, size / len(msgs)
devices, per_device, rounds = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
directory = sys.argv[4] if len(sys.argv) > 4 else "/tmp"
print(f"sqlite {sqlite3.sqlite_version}, {devices} devices x {per_device} events, batches of 500, WAL, synchronous=FULL, load {os.getloadavg()[0]:.1f}")
for r in range(rounds):
    order = [("rowid", OLD), ("without-rowid", NEW), ("events-wr", EVENTS_ONLY), ("telemetry-wr", TELEMETRY_ONLY)]
    if r % 2: order.reverse()
    for name, ddl in order:
        cpu, wall, size = run(name, ddl, devices, per_device, 500)
        print(f"round {r+1} {name:14s} cpu {cpu:6.2f} µs/msg  wall {wall:6.2f} µs/msg  file {size:6.1f} B/msg  load {os.getloadavg()[0]:.1f}")
