import sys, json; sys.path.insert(0, __import__('os').path.dirname(__file__)); from api import Client
lang = {'zh': 'zh-Hans'}.get(sys.argv[1], sys.argv[1])
anon = Client(None, lang); cust = Client('customer@demo.test', lang); agent = Client('agent@demo.test', lang)
cases = [
 (anon, 'POST', '/api/auth/login', {'email': 'customer@demo.test', 'password': 'wrong-password'}),
 (anon, 'GET', '/api/me/devices', None), (cust, 'GET', '/api/devices', None),
 (cust, 'POST', '/api/me/devices/pair', {'code': 'ZZZZ-ZZZZ'}), (cust, 'POST', '/api/me/devices/pair', {'code': 5}),
 (cust, 'PUT', '/api/me/devices/sim-0001/nickname', {'nickname': 'x' * 300}),
 (cust, 'PUT', '/api/me/devices/sim-0001/maintenance-window', {'from': '25:00', 'to': 'xx'}),
 (cust, 'GET', '/api/me/fixes/nope', None), (cust, 'POST', '/api/me/fixes/nope/approve', None),
 (cust, 'POST', '/api/me/sessions', {'text': ''}), (cust, 'GET', '/api/me/sessions/nope', None),
 (agent, 'GET', '/api/devices/nope', None), (agent, 'GET', '/api/devices?page=-1', None), (agent, 'GET', '/api/kb/match', None),
 (agent, 'PUT', '/api/kb/articles/paper-jam/draft', {'markdown': '---\nid: paper-jam\n---\n'}), (agent, 'GET', '/api/kb/search?q=', None),
 (agent, 'POST', '/api/updates/rollouts', {'name': 'x'}), (agent, 'GET', '/api/support/figures?from=2026-12-10&to=2026-12-01', None),
 (agent, 'POST', '/api/sessions/nope/take', None), (agent, 'PUT', '/api/devices/sim-0001/tags', {'tags': ['bad tag!']}),
 (anon, 'POST', '/api/auth/password-reset/confirm', {'token': 'bad', 'password': 'short'}),
 (cust, 'PUT', '/api/auth/language', {'language': 'xx-YY'}), (cust, 'GET', '/api/nope', None),
]
for c, m, p, b in cases:
    st, body = c.call(m, p, b)
    if isinstance(body, dict): body = {k: v for k, v in body.items() if k not in ('type', 'traceId')}
    print(st, m, p, json.dumps(body, ensure_ascii=False)[:400])
