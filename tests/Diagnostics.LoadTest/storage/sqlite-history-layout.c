/* SQLite's own cost per stored event message for the history layouts (issue 22, eleventh pass), without an
 * interpreter in the way: statements prepared once and bound by position (bind, step, reset), as the cloud's
 * TelemetryBatchWriter does through SQLitePCL; batches of 500 in one BEGIN IMMEDIATE ... COMMIT; WAL and
 * synchronous=FULL as SqliteConnectionFactory; devices interleaved as they arrive; the layouts alternate in one run
 * (every other round in reverse order). CPU is this process's user + system time (getrusage), so the WAL writes and
 * the fsync's system time are in it.
 *
 * Then the readers: a history where one message in READ_EVENT_EVERY is an event and the rest heartbeats (a device's
 * telemetry is mostly heartbeats), and per layout the device events page's two queries (the count, the 50 newest) for
 * every device, CPU per page.
 *
 *   gcc -O2 -o /tmp/sqlite-history-layout tests/Diagnostics.LoadTest/storage/sqlite-history-layout.c -lsqlite3
 *   /tmp/sqlite-history-layout DEVICES EVENTS_PER_DEVICE ROUNDS DIRECTORY
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { BATCH = 500, READ_DEVICES = 20, READ_MESSAGES_PER_DEVICE = 20000, READ_EVENT_EVERY = 20, PAGE = 50 };

typedef struct {
    const char *name;
    const char *ddl;
    int shape; /* 0: telemetry + device_events by key, 1: one table, 2: device_events keyed by telemetry's rowid */
    const char *count_sql, *page_sql;
} layout;

#define TELEMETRY "CREATE TABLE telemetry (device_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, device_time_ms INTEGER NOT NULL, received_time_ms INTEGER NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (device_id, seq));"
#define EVENTS "CREATE TABLE device_events (device_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, code TEXT NOT NULL, condition TEXT NOT NULL, severity TEXT NOT NULL, message TEXT NOT NULL, device_time_ms INTEGER NOT NULL, received_time_ms INTEGER NOT NULL, PRIMARY KEY (device_id, seq));"
#define ONE_TABLE "CREATE TABLE telemetry (device_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, device_time_ms INTEGER NOT NULL, received_time_ms INTEGER NOT NULL, payload BLOB NOT NULL, event_kind TEXT, code TEXT, condition TEXT, severity TEXT, message TEXT, PRIMARY KEY (device_id, seq));"
#define EVENTS_OF_TELEMETRY "CREATE INDEX ix_telemetry_events ON telemetry (device_id, seq) WHERE code IS NOT NULL;"
#define EVENTS_BY_ROWID "CREATE TABLE device_events (telemetry_rowid INTEGER PRIMARY KEY, kind TEXT NOT NULL, code TEXT NOT NULL, condition TEXT NOT NULL, severity TEXT NOT NULL, message TEXT NOT NULL);"

static const layout LAYOUTS[] = {
    {"rowid", TELEMETRY EVENTS, 0,
     "SELECT COUNT(*) FROM device_events WHERE device_id = ?1",
     "SELECT seq, kind, code, condition, severity, message, device_time_ms, received_time_ms FROM device_events WHERE device_id = ?1 ORDER BY seq DESC LIMIT 50"},
    {"one-table", ONE_TABLE, 1,
     "SELECT COUNT(*) FROM telemetry WHERE device_id = ?1 AND code IS NOT NULL",
     "SELECT seq, event_kind, code, condition, severity, message, device_time_ms, received_time_ms FROM telemetry WHERE device_id = ?1 AND code IS NOT NULL ORDER BY seq DESC LIMIT 50"},
    {"one-table-indexed", ONE_TABLE EVENTS_OF_TELEMETRY, 1,
     "SELECT COUNT(*) FROM telemetry WHERE device_id = ?1 AND code IS NOT NULL",
     "SELECT seq, event_kind, code, condition, severity, message, device_time_ms, received_time_ms FROM telemetry WHERE device_id = ?1 AND code IS NOT NULL ORDER BY seq DESC LIMIT 50"},
    {"events-by-rowid", TELEMETRY EVENTS_BY_ROWID, 2,
     "SELECT COUNT(*) FROM telemetry t JOIN device_events e ON e.telemetry_rowid = t.rowid WHERE t.device_id = ?1",
     "SELECT t.seq, e.kind, e.code, e.condition, e.severity, e.message, t.device_time_ms, t.received_time_ms FROM telemetry t JOIN device_events e ON e.telemetry_rowid = t.rowid WHERE t.device_id = ?1 ORDER BY t.seq DESC LIMIT 50"},
};
enum { LAYOUT_COUNT = sizeof LAYOUTS / sizeof LAYOUTS[0] };

static void check(int rc, sqlite3 *db, const char *what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql) {
    sqlite3_stmt *s;
    check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL), db, sql);
    return s;
}

static void run(sqlite3_stmt *s, sqlite3 *db) {
    check(sqlite3_step(s), db, sqlite3_sql(s));
    sqlite3_reset(s);
}

static double cpu_seconds(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

static double wall_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double load(void) {
    double l[1] = {0};
    getloadavg(l, 1);
    return l[0];
}

static long file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

static sqlite3 *open_fresh(const char *directory, const char *name, const char *suffix, char *path) {
    sprintf(path, "%s/history-%s%s.db", directory, name, suffix);
    char other[1200];
    unlink(path);
    sprintf(other, "%s-wal", path); unlink(other);
    sprintf(other, "%s-shm", path); unlink(other);
    sqlite3 *db;
    check(sqlite3_open(path, &db), db, path);
    check(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL, NULL), db, "pragma");
    return db;
}

/* Writes DEVICES x PER_DEVICE messages, devices interleaved; a message is an event when seq % event_every == 0. */
static void write_history(sqlite3 *db, const layout *l, int devices, int per_device, int event_every) {
    check(sqlite3_exec(db, l->ddl, NULL, NULL, NULL), db, l->ddl);
    sqlite3_stmt *begin = prepare(db, "BEGIN IMMEDIATE"), *commit = prepare(db, "COMMIT");
    sqlite3_stmt *telemetry = prepare(db, l->shape == 1
        ? "INSERT OR IGNORE INTO telemetry VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        : "INSERT OR IGNORE INTO telemetry (device_id, seq, kind, device_time_ms, received_time_ms, payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    sqlite3_stmt *event = l->shape == 0
        ? prepare(db, "INSERT OR IGNORE INTO device_events (device_id, seq, kind, code, condition, severity, message, device_time_ms, received_time_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
        : l->shape == 2 ? prepare(db, "INSERT INTO device_events VALUES (?1, ?2, ?3, ?4, ?5, ?6)") : NULL;
    unsigned char payload[90];
    for (int i = 0; i < 90; i++) payload[i] = (unsigned char)rand();
    long total = (long)devices * per_device, written = 0;
    char device[32];
    run(begin, db);
    for (long seq = 1; seq <= per_device; seq++) {
        for (int d = 0; d < devices; d++) {
            int is_event = seq % event_every == 0;
            sprintf(device, "printer-%05d", d);
            sqlite3_bind_text(telemetry, 1, device, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(telemetry, 2, seq);
            sqlite3_bind_text(telemetry, 3, is_event ? "event" : "heartbeat", -1, SQLITE_STATIC);
            sqlite3_bind_int64(telemetry, 4, 1700000000000LL + seq);
            sqlite3_bind_int64(telemetry, 5, 1700000000100LL + seq);
            sqlite3_bind_blob(telemetry, 6, payload, sizeof payload, SQLITE_STATIC);
            if (l->shape == 1) {
                const char *e[5] = {"Raised", "E042", "paper_jam", "Error", "Paper jam in tray 2"};
                for (int c = 0; c < 5; c++)
                    if (is_event) sqlite3_bind_text(telemetry, 7 + c, e[c], -1, SQLITE_STATIC);
                    else sqlite3_bind_null(telemetry, 7 + c);
            }
            check(sqlite3_step(telemetry), db, "telemetry");
            int stored = sqlite3_changes(db) == 1;
            sqlite3_reset(telemetry);
            if (is_event && l->shape == 0) {
                sqlite3_bind_text(event, 1, device, -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(event, 2, seq);
                sqlite3_bind_text(event, 3, "Raised", -1, SQLITE_STATIC);
                sqlite3_bind_text(event, 4, "E042", -1, SQLITE_STATIC);
                sqlite3_bind_text(event, 5, "paper_jam", -1, SQLITE_STATIC);
                sqlite3_bind_text(event, 6, "Error", -1, SQLITE_STATIC);
                sqlite3_bind_text(event, 7, "Paper jam in tray 2", -1, SQLITE_STATIC);
                sqlite3_bind_int64(event, 8, 1700000000000LL + seq);
                sqlite3_bind_int64(event, 9, 1700000000100LL + seq);
                run(event, db);
            } else if (is_event && l->shape == 2 && stored) { /* a repeat stores nothing, as the key refuses it */
                sqlite3_bind_int64(event, 1, sqlite3_last_insert_rowid(db));
                sqlite3_bind_text(event, 2, "Raised", -1, SQLITE_STATIC);
                sqlite3_bind_text(event, 3, "E042", -1, SQLITE_STATIC);
                sqlite3_bind_text(event, 4, "paper_jam", -1, SQLITE_STATIC);
                sqlite3_bind_text(event, 5, "Error", -1, SQLITE_STATIC);
                sqlite3_bind_text(event, 6, "Paper jam in tray 2", -1, SQLITE_STATIC);
                run(event, db);
            }
            if (++written % BATCH == 0 || written == total) {
                run(commit, db);
                if (written < total) run(begin, db);
            }
        }
    }
    sqlite3_finalize(begin); sqlite3_finalize(commit); sqlite3_finalize(telemetry);
    if (event) sqlite3_finalize(event);
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s DEVICES EVENTS_PER_DEVICE ROUNDS DIRECTORY\n", argv[0]);
        return 2;
    }
    int devices = atoi(argv[1]), per_device = atoi(argv[2]), rounds = atoi(argv[3]);
    const char *directory = argv[4];
    char path[1100], wal[1200];
    double cpu_sum[LAYOUT_COUNT] = {0}, wall_sum[LAYOUT_COUNT] = {0}, bytes[LAYOUT_COUNT] = {0};
    long events = (long)devices * per_device;
    printf("sqlite %s (C, prepared statements), %d devices x %d events, batches of %d, WAL, synchronous=FULL, load %.1f\n",
           sqlite3_libversion(), devices, per_device, BATCH, load());
    for (int r = 0; r < rounds; r++) {
        for (int k = 0; k < LAYOUT_COUNT; k++) {
            const layout *l = &LAYOUTS[r % 2 ? LAYOUT_COUNT - 1 - k : k];
            sqlite3 *db = open_fresh(directory, l->name, "", path);
            double c0 = cpu_seconds(), w0 = wall_seconds();
            write_history(db, l, devices, per_device, 1);
            double cpu = cpu_seconds() - c0, wall = wall_seconds() - w0;
            sprintf(wal, "%s-wal", path);
            double size = (double)(file_size(path) + file_size(wal)) / events;
            sqlite3_close(db);
            int i = (int)(l - LAYOUTS);
            cpu_sum[i] += cpu; wall_sum[i] += wall; bytes[i] = size;
            printf("round %d %-18s cpu %6.2f µs/event  wall %6.2f µs/event  file %6.1f B/event  load %.1f\n",
                   r + 1, l->name, cpu / events * 1e6, wall / events * 1e6, size, load());
            fflush(stdout);
        }
    }
    for (int i = 0; i < LAYOUT_COUNT; i++)
        printf("mean %-18s cpu %6.2f µs/event (%.2fx %s)  wall %6.2f µs/event  file %6.1f B/event\n", LAYOUTS[i].name,
               cpu_sum[i] / rounds / events * 1e6, cpu_sum[i] / cpu_sum[0], LAYOUTS[0].name, wall_sum[i] / rounds / events * 1e6, bytes[i]);

    printf("readers: %d devices x %d messages, one in %d an event, the rest heartbeats; the events page (count + %d newest) of every device\n",
           READ_DEVICES, READ_MESSAGES_PER_DEVICE, READ_EVENT_EVERY, PAGE);
    for (int i = 0; i < LAYOUT_COUNT; i++) {
        const layout *l = &LAYOUTS[i];
        sqlite3 *db = open_fresh(directory, l->name, "-read", path);
        write_history(db, l, READ_DEVICES, READ_MESSAGES_PER_DEVICE, READ_EVENT_EVERY);
        sqlite3_stmt *count = prepare(db, l->count_sql), *page = prepare(db, l->page_sql);
        char device[32];
        long counted = 0, rows = 0;
        int repeats = 20;
        double c0 = cpu_seconds();
        for (int rep = 0; rep < repeats; rep++)
            for (int d = 0; d < READ_DEVICES; d++) {
                sprintf(device, "printer-%05d", d);
                sqlite3_bind_text(count, 1, device, -1, SQLITE_TRANSIENT);
                check(sqlite3_step(count), db, "count");
                counted += sqlite3_column_int64(count, 0);
                sqlite3_reset(count);
                sqlite3_bind_text(page, 1, device, -1, SQLITE_TRANSIENT);
                while (sqlite3_step(page) == SQLITE_ROW) rows++;
                sqlite3_reset(page);
            }
        double cpu = cpu_seconds() - c0;
        printf("read %-18s cpu %8.1f µs per page (count %ld events, %ld rows per page)\n", l->name,
               cpu / (repeats * READ_DEVICES) * 1e6, counted / (repeats * READ_DEVICES), rows / (repeats * READ_DEVICES));
        sqlite3_finalize(count); sqlite3_finalize(page);
        sqlite3_close(db);
    }
    return 0;
}
