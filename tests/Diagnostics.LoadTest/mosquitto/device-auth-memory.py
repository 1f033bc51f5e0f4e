#!/usr/bin/env python3
"""Mosquitto's own memory per connected device under the two ways the cloud's External mode authenticates devices
(issue 22, ninth pass), measured side by side in one run on this machine:

  certificates  TLS listener, require_certificate + use_identity_as_username + use_username_as_clientid, one ACL
                pattern file, an (empty) CRL: nothing per device in the broker; every device presents its own
                certificate (CN = its id) signed by the device CA.
  dynsec-tls    one dynamic-security client + role per device (what MosquittoDynamicSecurity.SetAsync makes and the
                load tool's FleetAccounts writes in bulk), password = a token, over a server-only TLS listener (as
                token devices reach a broker on the internet).
  dynsec        the same accounts over plain TCP (the eighth pass's fleet on Mosquitto).

For each N it starts a fresh Mosquitto, connects N MQTT 5 clients from this one process (asyncio; keep-alive 0, so a slow
connect of thousands times none of them out), each subscribing to
its own downlink filter dx/{id}/down/# at QoS 1 as the agent does, and reads Mosquitto's RSS (/proc) and heap
($SYS/broker/heap/current) before any device and with all connected. No cloud runs: this isolates the broker's share;
the cloud's own per-device memory is the fleet run's (tests/Diagnostics.LoadTest/README.md). All client certificates
share one key (a key's size does not reach the broker's memory; each certificate is distinct).

  python3 tests/Diagnostics.LoadTest/mosquitto/device-auth-memory.py --counts 1000,5000,10000,18000

TLS settings A/B (tenth pass): --variant NAME=ITEM;ITEM... (repeatable; without it one variant "base" as configured
above, an ECDSA P-256 server key) applies to the TLS listener of every TLS mode, each variant measured at every count:
  conf:LINE      a line added to the device listener (e.g. conf:tls_version tlsv1.3)
  rsa            an RSA-2048 server key and certificate instead of the ECDSA P-256 one
  openssl:LINE   a line in the system_default section of an OpenSSL configuration Mosquitto is started with
                 (OPENSSL_CONF; e.g. openssl:Options = -SessionTicket)
  env:NAME=VALUE Mosquitto's environment (e.g. env:MALLOC_ARENA_MAX=1)
Also reported: Mosquitto's CPU-seconds over the connect phase, per connection (its share of the TLS handshakes).
"""
import argparse, asyncio, base64, datetime, hashlib, json, os, shutil, signal, socket, ssl, struct, subprocess, sys, tempfile, time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID

CLOUD_USER = "dx-cloud"


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def pem(obj):
    return obj.public_bytes(serialization.Encoding.PEM)


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def make_pki(directory, count):
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("bench device CA")).issuer_name(name("bench device CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    open(f"{directory}/ca.crt", "wb").write(pem(ca))
    crl = (x509.CertificateRevocationListBuilder().issuer_name(ca.subject).last_update(now)
           .next_update(now + datetime.timedelta(days=1)).sign(ca_key, hashes.SHA256()))
    open(f"{directory}/devices.crl", "wb").write(pem(crl))

    def issue(cn, usage, san=None):
        builder = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(ca.subject).public_key(shared_key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1)).add_extension(x509.ExtendedKeyUsage([usage]), critical=False))
        if san:
            builder = builder.add_extension(san, critical=False)
        return builder.sign(ca_key, hashes.SHA256())

    shared_key = ec.generate_private_key(ec.SECP256R1())
    open(f"{directory}/shared.key", "wb").write(key_pem(shared_key))
    server_names = x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))])
    server = issue("localhost", ExtendedKeyUsageOID.SERVER_AUTH, server_names)
    open(f"{directory}/server.crt", "wb").write(pem(server))
    # The "rsa" variant: the same server certificate for an RSA-2048 key.
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    open(f"{directory}/server-rsa.key", "wb").write(key_pem(rsa_key))
    rsa_server = (x509.CertificateBuilder().subject_name(name("localhost")).issuer_name(ca.subject).public_key(rsa_key.public_key())
                  .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
                  .not_valid_after(now + datetime.timedelta(days=1)).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                  .add_extension(server_names, critical=False).sign(ca_key, hashes.SHA256()))
    open(f"{directory}/server-rsa.crt", "wb").write(pem(rsa_server))
    os.makedirs(f"{directory}/devices", exist_ok=True)
    for i in range(count):
        open(f"{directory}/devices/{i}.crt", "wb").write(pem(issue(device_id(i), ExtendedKeyUsageOID.CLIENT_AUTH)))


def device_id(i):
    return f"fleet-{i:06d}"


def dynsec_file(path, count, password):
    # Mosquitto's own hash: PBKDF2-SHA512, 101 iterations, 12-byte salt (as mosquitto_ctrl writes it).
    salt = os.urandom(12)
    digest = base64.b64encode(hashlib.pbkdf2_hmac("sha512", password.encode(), salt, 101, 64)).decode()
    data = json.load(open(path))
    for i in range(count):
        d = device_id(i)
        role = "dx-device-" + d
        data["clients"].append({"username": d, "clientid": d, "password": digest, "salt": base64.b64encode(salt).decode(), "iterations": 101,
                                "roles": [{"rolename": role, "priority": 0}]})
        data["roles"].append({"rolename": role, "acls": [
            {"acltype": "publishClientSend", "topic": f"dx/{d}/up/#", "allow": True, "priority": 0},
            {"acltype": "publishClientSend", "topic": f"dx/{d}/presence", "allow": True, "priority": 0},
            {"acltype": "subscribePattern", "topic": f"dx/{d}/down/#", "allow": True, "priority": 0},
            {"acltype": "publishClientReceive", "topic": f"dx/{d}/down/#", "allow": True, "priority": 0}]})
    json.dump(data, open(path, "w"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def utf8(text):
    raw = text.encode()
    return struct.pack("!H", len(raw)) + raw


def varint(n):
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def connect_packet(client_id, user=None, password=None, keepalive=0):
    flags = 0x02 | (0x80 if user else 0) | (0x40 if password else 0)
    body = utf8("MQTT") + bytes([5, flags]) + struct.pack("!H", keepalive) + b"\x00" + utf8(client_id)
    if user:
        body += utf8(user)
    if password:
        body += utf8(password)
    return b"\x10" + varint(len(body)) + body


def subscribe_packet(topic, packet_id=1):
    body = struct.pack("!H", packet_id) + b"\x00" + utf8(topic) + b"\x01"
    return b"\x82" + varint(len(body)) + body


async def read_packet(reader):
    first = await reader.readexactly(1)
    length, shift = 0, 0
    while True:
        b = (await reader.readexactly(1))[0]
        length += (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            break
    return first[0], await reader.readexactly(length)


async def open_device(port, i, tls_dir, password, held, gate, client_certificates):
    d = device_id(i)
    async with gate:
        if tls_dir:
            # The broker's certificate is not what is measured: not checked here, which keeps the client's side cheap.
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            if client_certificates:
                context.load_cert_chain(f"{tls_dir}/devices/{i}.crt", f"{tls_dir}/shared.key")
            reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context, server_hostname="localhost")
            writer.write(connect_packet(d, user=d, password=None if client_certificates else password))
        else:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(connect_packet(d, user=d, password=password))
        kind, body = await read_packet(reader)
        if kind != 0x20 or body[1] != 0:
            raise RuntimeError(f"{d}: CONNACK {body.hex()}")
        writer.write(subscribe_packet(f"dx/{d}/down/#"))
        kind, body = await read_packet(reader)
        if kind != 0x90 or body[-1] > 2:
            raise RuntimeError(f"{d}: SUBACK {body.hex()}")
        held.append(writer)


async def heap_bytes(port, user, password):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(connect_packet("bench-heap-reader", user=user, password=password))
    await read_packet(reader)
    writer.write(subscribe_packet("$SYS/broker/heap/current"))
    while True:
        kind, body = await asyncio.wait_for(read_packet(reader), 10)
        if kind >> 4 == 3:
            topic_len = struct.unpack("!H", body[:2])[0]
            rest = body[2 + topic_len:]
            if kind & 0x06:
                rest = rest[2:]
            props_len = rest[0]  # small: one byte
            value = int(rest[1 + props_len:].decode())
            writer.close()
            return value


def rss_bytes(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def parse_variant(text):
    name, _, items = text.partition("=")
    variant = dict(name=name, conf=[], rsa=False, openssl=[], env={})
    for item in filter(None, items.split(";")):
        kind, _, value = item.partition(":")
        if kind == "conf":
            variant["conf"].append(value)
        elif kind == "rsa":
            variant["rsa"] = True
        elif kind == "openssl":
            variant["openssl"].append(value)
        elif kind == "env":
            key, _, val = value.partition("=")
            variant["env"][key] = val
        else:
            raise SystemExit(f"unknown variant item {item!r} (conf:, rsa, openssl:, env:)")
    return variant


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_mosquitto(directory, mode, count, cloud_password, device_password, variant):
    port, device_port = free_port(), free_port()
    user = "user root\n" if os.geteuid() == 0 else ""
    server_cert, server_key = (f"{directory}/server-rsa.crt", f"{directory}/server-rsa.key") if variant["rsa"] else (f"{directory}/server.crt", f"{directory}/shared.key")
    extra = "".join(line + "\n" for line in variant["conf"])
    common = f"allow_anonymous false\npersistence false\nsys_interval 1\nmax_queued_messages 0\nlog_dest stderr\nlog_type error\nlog_type warning\nlog_type information\n{user}"
    if mode == "certificates":
        subprocess.run(["mosquitto_passwd", "-b", "-c", f"{directory}/passwords", CLOUD_USER, cloud_password], check=True)
        open(f"{directory}/acl", "w").write(
            f"user {CLOUD_USER}\ntopic read $SYS/#\ntopic write dx/+/down/#\ntopic read dx/+/up/#\ntopic read dx/+/presence\n\n"
            "pattern write dx/%u/up/#\npattern write dx/%u/presence\npattern read dx/%u/down/#\n")
        config = (f"per_listener_settings false\npassword_file {directory}/passwords\nacl_file {directory}/acl\n{common}\n"
                  f"listener {port} 127.0.0.1\n\nlistener {device_port} 127.0.0.1\ncafile {directory}/ca.crt\ncertfile {server_cert}\n"
                  f"keyfile {server_key}\ncrlfile {directory}/devices.crl\nrequire_certificate true\nuse_identity_as_username true\n"
                  f"use_username_as_clientid true\n{extra}")
    else:
        dynsec = f"{directory}/dynamic-security.json"
        if os.path.exists(dynsec):
            os.remove(dynsec)
        subprocess.run(["mosquitto_ctrl", "dynsec", "init", dynsec, CLOUD_USER, cloud_password], check=True, capture_output=True)
        data = json.load(open(dynsec))
        # The administrator may read $SYS (the heap figure); every device's account is written in one go.
        data["roles"][0]["acls"].append({"acltype": "subscribePattern", "topic": "$SYS/#", "allow": True, "priority": 0})
        data["roles"][0]["acls"].append({"acltype": "publishClientReceive", "topic": "$SYS/#", "allow": True, "priority": 0})
        json.dump(data, open(dynsec, "w"))
        dynsec_file(dynsec, count, device_password)
        plugin = subprocess.run(["find", "/usr/lib", "-maxdepth", "3", "-name", "mosquitto_dynamic_security.so"], capture_output=True, text=True).stdout.split()[0]
        config = f"{common}plugin {plugin}\nplugin_opt_config_file {dynsec}\nlistener {port} 127.0.0.1\n"
        device_port = port
        if mode == "dynsec-tls":
            # Tokens over TLS, as devices reach a broker on the internet: the same accounts, a server-only TLS listener.
            device_port = free_port()
            config += f"\nlistener {device_port} 127.0.0.1\ncertfile {server_cert}\nkeyfile {server_key}\n{extra}"
    open(f"{directory}/mosquitto.conf", "w").write(config)
    environment = dict(os.environ, **variant["env"])
    if variant["openssl"]:
        open(f"{directory}/openssl.cnf", "w").write(
            "openssl_conf = default_conf\n[default_conf]\nssl_conf = ssl_sect\n[ssl_sect]\nsystem_default = system_default_sect\n"
            "[system_default_sect]\n" + "".join(line + "\n" for line in variant["openssl"]))
        environment["OPENSSL_CONF"] = f"{directory}/openssl.cnf"
    process = subprocess.Popen(["mosquitto", "-c", f"{directory}/mosquitto.conf"], stderr=subprocess.PIPE, text=True, env=environment)
    for line in process.stderr:
        if " running" in line:
            break
    else:
        raise RuntimeError("mosquitto did not start")
    # Keep reading its log, or a full pipe would stall the broker.
    __import__("threading").Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()
    return process, port, device_port


async def measure(directory, mode, count, variant):
    cloud_password, device_password = "bench-cloud-" + os.urandom(6).hex(), "tok-" + os.urandom(16).hex()
    started = time.monotonic()
    process, port, device_port = start_mosquitto(directory, mode, count, cloud_password, device_password, variant)
    try:
        start_seconds = time.monotonic() - started
        time.sleep(1.5)
        base_rss, base_heap = rss_bytes(process.pid), await heap_bytes(port, CLOUD_USER, cloud_password)
        held, gate = [], asyncio.Semaphore(64)
        clock, cpu_before = time.monotonic(), cpu_seconds(process.pid)
        tls_dir = None if mode == "dynsec" else directory
        await asyncio.gather(*(open_device(device_port, i, tls_dir, device_password, held, gate, mode == "certificates") for i in range(count)))
        connect_seconds, connect_cpu = time.monotonic() - clock, cpu_seconds(process.pid) - cpu_before
        await asyncio.sleep(2.5)  # two $SYS intervals
        rss, heap = rss_bytes(process.pid), await heap_bytes(port, CLOUD_USER, cloud_password)
        for writer in held:
            writer.close()
        return dict(mode=mode, variant=variant["name"], n=count, start_s=start_seconds, base_rss=base_rss, base_heap=base_heap, rss=rss, heap=heap,
                    connect_s=connect_seconds, connect_cpu=connect_cpu)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", default="1000,5000,10000")
    parser.add_argument("--modes", default="certificates,dynsec-tls,dynsec")
    parser.add_argument("--variant", action="append", default=[], help="NAME=ITEM;ITEM... (see the top of this file)")
    args = parser.parse_args()
    variants = [parse_variant(v) for v in args.variant] or [parse_variant("base=")]
    counts = [int(c) for c in args.counts.split(",")]
    directory = tempfile.mkdtemp(prefix="dx-mosq-auth-bench-")
    try:
        make_pki(directory, max(counts))
        print("| mode | variant | devices | Mosquitto start | RSS before | RSS with all | per device | heap before | heap with all | per device | connect rate | Mosquitto CPU per connect |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for count in counts:
            for mode in args.modes.split(","):
                # Plain TCP has no TLS settings to vary.
                for variant in variants if mode != "dynsec" else variants[:1]:
                    r = asyncio.run(measure(directory, mode, count, variant))
                    mib = 1024 * 1024
                    print(f"| {r['mode']} | {r['variant']} | {r['n']:,} | {r['start_s']:.1f} s | {r['base_rss']/mib:.1f} MiB | {r['rss']/mib:.1f} MiB | "
                          f"{(r['rss']-r['base_rss'])/r['n']/1024:.1f} KiB | {r['base_heap']/mib:.1f} MiB | {r['heap']/mib:.1f} MiB | "
                          f"{(r['heap']-r['base_heap'])/r['n']/1024:.1f} KiB | {r['n']/r['connect_s']:.0f}/s | {r['connect_cpu']*1000/r['n']:.2f} ms |", flush=True)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
