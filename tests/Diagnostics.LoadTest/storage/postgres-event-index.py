#!/usr/bin/env python3
"""PostgreSQL's CPU per stored event for device_events (issue 22, tenth pass): the partitioned table with its key only
(as PostgresDeviceEventIndexSchema leaves it) against key + ix_device_events_device_seq (device_id, seq DESC), as before;
500 rows per committed transaction (fsync and synchronous_commit on), devices interleaved, ON CONFLICT DO NOTHING as
PostgresTelemetryStore. The CPU is the whole server's (postmaster, its reaped backends and its background workers),
from /proc. Needs a server of its own, started by hand (as root through setpriv, as PostgresServer does):

  setpriv --reuid postgres --regid postgres --init-groups -- /usr/lib/postgresql/15/bin/initdb -D DIR/data -A trust -U postgres
  setpriv --reuid postgres --regid postgres --init-groups -- /usr/lib/postgresql/15/bin/postgres -D DIR/data -p 55432 -k DIR -c listen_addresses='' &
  python3 tests/Diagnostics.LoadTest/storage/postgres-event-index.py ROUNDS DIR POSTMASTER_PID [PORT]
"""
import os, subprocess, time, sys
SOCKET, PM = sys.argv[2], int(sys.argv[3])
PORT = sys.argv[4] if len(sys.argv) > 4 else '55432'
HZ = os.sysconf('SC_CLK_TCK')
def ticks(pid, children):
    f = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    return int(f[11]) + int(f[12]) + ((int(f[13]) + int(f[14])) if children else 0)
def server_cpu():
    total = ticks(PM, True)
    for p in os.listdir('/proc'):
        if p.isdigit():
            try:
                f = open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()
                if int(f[1]) == PM: total += ticks(int(p), False)
            except OSError: pass
    return total / HZ
def psql(sql):
    subprocess.run(['psql', '-h', SOCKET, '-p', PORT, '-U', 'postgres', '-qtA', '-v', 'ON_ERROR_STOP=1', '-c', sql], check=True, stdout=subprocess.DEVNULL)
DEVICES, PER, BATCH = 50, 2000, 500
def run(with_index):
    psql("SET client_min_messages = warning; DROP TABLE IF EXISTS device_events; CREATE TABLE device_events (device_id text NOT NULL, seq bigint NOT NULL, kind text NOT NULL, code text NOT NULL, condition text NOT NULL, severity text NOT NULL, message text NOT NULL, device_time_ms bigint NOT NULL, received_time_ms bigint NOT NULL, CONSTRAINT pk_device_events PRIMARY KEY (device_id, seq, device_time_ms)) PARTITION BY RANGE (device_time_ms); CREATE TABLE device_events_default PARTITION OF device_events DEFAULT;"
         + (" CREATE INDEX ix_device_events_device_seq ON device_events (device_id, seq DESC);" if with_index else "") + " CHECKPOINT;")
    n = DEVICES * PER
    body = f"""DO $$ BEGIN FOR b IN 0..{n // BATCH - 1} LOOP
      INSERT INTO device_events SELECT 'printer-' || lpad((i % {DEVICES})::text, 5, '0'), i / {DEVICES} + 1, 'Raised', 'E042', 'paper_jam', 'Error', 'Paper jam in tray 2', 1700000000000 + i / {DEVICES}, 1700000000100 + i / {DEVICES}
        FROM generate_series(b * {BATCH}, b * {BATCH} + {BATCH - 1}) i ON CONFLICT DO NOTHING;
      COMMIT; END LOOP; END $$;"""
    c0 = server_cpu(); w0 = time.perf_counter()
    psql(body)
    time.sleep(0.3)
    return (server_cpu() - c0) / n * 1e6, (time.perf_counter() - w0) / n * 1e6
print(f"PostgreSQL 15, {DEVICES} devices x {PER} events, {BATCH} per committed transaction (fsync on), load {os.getloadavg()[0]:.1f}")
for r in range(int(sys.argv[1])):
    order = [("key+ix", True), ("key only", False)]
    if r % 2: order.reverse()
    for name, ix in order:
        cpu, wall = run(ix)
        print(f"round {r+1} {name:9s} server cpu {cpu:6.2f} µs/event  wall {wall:6.2f} µs/event  load {os.getloadavg()[0]:.1f}")
