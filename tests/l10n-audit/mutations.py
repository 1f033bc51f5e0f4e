# Third audit (issue 19): the answers of POST/PUT/DELETE calls a customer, an agent or a supervisor makes, successes and
# refusals, in the language given (zh-Hans or ja). Prints each answer's strings holding two or more Latin words (the
# probe's rule), or "(clean)". Run after setup.py (it uses the demo's devices and the audit's conversation); it changes
# demo data, so run it last. Support session answers (/api/me/sessions, /api/sessions) are printed too, marked.
import sys, json, re, os
sys.path.insert(0, os.path.dirname(__file__)); from api import Client
from probe_words import latin_strings
lang = {'zh': 'zh-Hans'}.get(sys.argv[1], sys.argv[1]) if len(sys.argv) > 1 else 'zh-Hans'
anon, cust, cust2 = Client(None, lang), Client('customer@demo.test', lang), Client('customer2@demo.test', lang)
agent, sup = Client('agent@demo.test', lang), Client('supervisor@demo.test', lang)
# The account's own choice outranks Accept-Language (Web/README.md): the customers read in the audit's language here,
# and forget the choice at the end so a later walk follows the browser again.
for c in (cust, cust2): c.call('PUT', '/api/auth/language', {'language': lang})
dev = cust.call('GET', '/api/me/devices')[1][0]['deviceId']
sess = cust.call('GET', '/api/me/sessions')[1]
sid = sess[-1]['id'] if sess else 'nope'
notes = cust.call('GET', '/api/me/notifications')[1]
note_id = (notes.get('items') if isinstance(notes, dict) else notes or [{}])[0].get('id', 0) if notes else 0
fixes = cust.call('GET', '/api/me/fixes')[1] or []
open_fix = next((f['id'] for f in fixes if f.get('state') == 'proposed'), 'nope')
ro = sup.call('GET', '/api/updates/rollouts')[1]; rid = ro[0]['id'] if ro else 'nope'
phrases = sup.call('GET', '/api/kb/phrases')[1]
cases = [
 ('notifications', cust, 'POST', f'/api/me/notifications/{note_id}/read', None), ('notifications', cust, 'POST', '/api/me/notifications/999999/read', None),
 ('notifications', cust, 'POST', '/api/me/notifications/read', None),
 ('devices', cust, 'PUT', f'/api/me/devices/{dev}/nickname', {'nickname': '办公室打印机'}), ('devices', cust, 'PUT', f'/api/me/devices/{dev}/nickname', {'nickname': ''}),
 ('devices', cust2, 'PUT', f'/api/me/devices/{dev}/nickname', {'nickname': 'x'}), ('devices', cust, 'DELETE', '/api/me/devices/nope', None),
 ('devices', cust, 'POST', '/api/me/devices/pair', {}),
 ('fixes', cust, 'POST', f'/api/me/devices/{dev}/consents', {'action': 'diagnostics', 'days': 7}), ('fixes', cust, 'POST', f'/api/me/devices/{dev}/consents', {'action': 'nope', 'days': 7}),
 ('fixes', cust, 'POST', f'/api/me/devices/{dev}/consents', {'action': 'diagnostics', 'days': 9999}), ('fixes', cust, 'DELETE', f'/api/me/devices/{dev}/consents/nope', None),
 ('fixes', cust, 'POST', f'/api/me/fixes/{open_fix}/decline', None), ('fixes', cust, 'POST', f'/api/me/fixes/{open_fix}/approve', None),
 ('reports', agent, 'POST', f'/api/devices/{dev}/diagnostics', None), ('reports', agent, 'POST', '/api/devices/nope/diagnostics', None),
 ('reports', cust, 'POST', '/api/me/reports/nope/release', None), ('reports', cust, 'POST', '/api/me/reports/nope/discard', None),
 ('updates', cust, 'PUT', f'/api/me/devices/{dev}/maintenance-window', {'from': '22:00', 'to': '06:00', 'timeZone': 'Asia/Shanghai', 'notWhilePrinting': True}),
 ('updates', cust, 'PUT', f'/api/me/devices/{dev}/maintenance-window', {'from': '22:00', 'to': '06:00', 'timeZone': 'Mars/Olympus'}),
 ('updates', cust, 'POST', f'/api/me/updates/{rid}/devices/{dev}/later', None), ('updates', cust, 'POST', f'/api/me/updates/{rid}/devices/{dev}/approve', None),
 ('updates', cust, 'POST', f'/api/me/updates/nope/devices/{dev}/decline', None),
 ('updates', agent, 'PUT', f'/api/devices/{dev}/tags', {'tags': ['floor-2']}), ('updates', agent, 'PUT', f'/api/devices/{dev}/tags', {'tags': ['x'] * 40}),
 ('updates', sup, 'POST', f'/api/updates/rollouts/{rid}/pause', None), ('updates', sup, 'POST', f'/api/updates/rollouts/{rid}/resume', None),
 ('updates', sup, 'POST', '/api/updates/rollouts/nope/cancel', None), ('updates', sup, 'POST', '/api/updates/rollouts', {'name': 'x', 'packageId': 'nope'}),
 ('updates', sup, 'POST', '/api/updates/rollouts', {'name': 'x', 'packageId': 'nope', 'waves': [150]}),
 ('kb', agent, 'PUT', '/api/kb/articles/audit-stapler-stuck/draft', {'markdown': open(os.path.join(os.path.dirname(__file__), 'article-without-translation.md')).read()}),
 ('kb', agent, 'PUT', '/api/kb/articles/paper-jam/draft', {'markdown': 'no front matter'}), ('kb', agent, 'PUT', '/api/kb/articles/paper-jam/draft', {}),
 ('kb', agent, 'POST', '/api/kb/articles/audit-stapler-stuck/publish', None), ('kb', sup, 'POST', '/api/kb/articles/nope/publish', None),
 ('kb', sup, 'POST', '/api/kb/import', {'articles': ['---\nid: Bad Id\n---\n']}), ('kb', sup, 'POST', '/api/kb/import', {}),
 ('phrases', agent, 'POST', '/api/kb/articles/paper-jam/phrases', {'text': '纸卡在里面了', 'language': 'zh-Hans', 'sessionId': sid}),
 ('phrases', agent, 'POST', '/api/kb/articles/paper-jam/phrases', {'text': '', 'language': 'zh-Hans'}),
 ('phrases', agent, 'POST', '/api/kb/articles/nope/phrases', {'text': 'x y', 'language': 'xx'}),
 ('phrases', sup, 'POST', '/api/kb/phrases/999999/accept', None), ('phrases', agent, 'POST', '/api/kb/phrases/1/reject', None),
('accounts', cust, 'POST', '/api/auth/password', {'currentPassword': 'wrong', 'newPassword': 'x'}),
 ('accounts', cust, 'POST', '/api/auth/password', {'currentPassword': 'diagnostics-demo', 'newPassword': 'short'}),
 ('accounts', anon, 'POST', '/api/auth/password-reset', {'email': 'nobody@demo.test'}), ('accounts', anon, 'POST', '/api/auth/password-reset', {}),
 ('accounts', anon, 'POST', '/api/auth/login', {}),
 ('credentials', sup, 'POST', '/api/devices/nope/credentials/rotate', None), ('credentials', sup, 'DELETE', '/api/devices/nope/credentials', None),
 ('credentials', sup, 'POST', f'/api/devices/{dev}/certificate/requests/nope/approve', None),
 ('support*', cust, 'POST', f'/api/me/sessions/{sid}/rating', {'stars': 9}), ('support*', agent, 'POST', f'/api/sessions/{sid}/transfer', {'agentId': 'nope'}),
 ('support*', agent, 'POST', '/api/support/canned-replies', {'title': '', 'body': ''}), ('support*', agent, 'DELETE', '/api/support/canned-replies/nope', None),
 ('support*', sup, 'PUT', '/api/support/agents/nope/limit', {'limit': -1}), ('support*', agent, 'POST', f'/api/sessions/{sid}/messages', {'text': ''}),
 ('support*', sup, 'PUT', f'/api/sessions/{sid}/review', {'score': 99}),
]
for area, c, m, p, b in cases:
    st, body = c.call(m, p, b)
    found = latin_strings(body, skip=('type', 'traceId', 'code', 'instance'))
    raw = f'  RAW:{body[:100]!r}' if isinstance(body, str) and body else ''
    print(f'## {area} {st} {m} {p}' + ('  (clean)' if not found else '') + raw)
    for k, v in found.items(): print('   ', k, '=', v)
for c in (cust, cust2): c.call('PUT', '/api/auth/language', {'language': None})
