import sys, json, re; sys.path.insert(0, __import__('os').path.dirname(__file__)); from api import Client
from probe_words import latin_strings
lang = {'zh': 'zh-Hans'}.get(sys.argv[1], sys.argv[1]) if len(sys.argv) > 1 else 'zh-Hans'
cust, agent, sup = Client('customer@demo.test', lang), Client('agent@demo.test', lang), Client('supervisor@demo.test', lang)
ids = {}
ids['dev'] = 'sim-0001'
fx = cust.call('GET', '/api/me/fixes')[1]; ids['fix'] = fx[0]['id'] if fx else 'x'
sess = cust.call('GET', '/api/me/sessions')[1]; ids['sess'] = sess[-1]['id']
ro = sup.call('GET', '/api/updates/rollouts')[1]; ids['ro'] = ro[0]['id'] if ro else 'x'
paths = [(cust, '/api/auth/me'), (cust, '/api/me/devices'), (cust, '/api/me/notifications'), (cust, '/api/me/fixes'), (cust, f"/api/me/fixes/{ids['fix']}"),
  (cust, f"/api/me/devices/{ids['dev']}/consents"), (cust, f"/api/me/devices/{ids['dev']}/reports"), (cust, '/api/me/updates'), (cust, f"/api/me/devices/{ids['dev']}/maintenance-window"),
  (cust, '/api/me/sessions'), (cust, '/api/me/sessions/unread'), (cust, f"/api/me/sessions/{ids['sess']}"), (cust, f"/api/me/sessions/{ids['sess']}/messages"),
  (agent, '/api/fleet/summary'), (agent, '/api/devices'), (agent, f"/api/devices/{ids['dev']}"), (agent, f"/api/devices/{ids['dev']}/events"), (agent, f"/api/devices/{ids['dev']}/credentials"),
  (agent, '/api/devices/certificate-requests'), (agent, '/api/kb/articles'), (agent, '/api/kb/articles/paper-jam'), (agent, '/api/kb/articles/audit-stapler-stuck'), (agent, '/api/kb/articles/paper-jam/history'),
  (agent, '/api/kb/match?code=ipp:media-jam'), (agent, '/api/kb/search?q=%E5%8D%A1%E7%BA%B8'), (agent, '/api/kb/search?q=stapler'), (agent, '/api/kb/phrases'), (agent, '/api/fixes'), (agent, f"/api/fixes/{ids['fix']}"),
  (agent, f"/api/devices/{ids['dev']}/audit"), (sup, '/api/audit/verify'), (agent, f"/api/devices/{ids['dev']}/reports"), (sup, '/api/updates/packages'), (sup, '/api/updates/rollouts'),
  (sup, f"/api/updates/rollouts/{ids['ro']}"), (sup, f"/api/updates/rollouts/{ids['ro']}/devices"), (agent, f"/api/devices/{ids['dev']}/updates"), (agent, f"/api/devices/{ids['dev']}/tags"),
  (agent, '/api/hosts'), (agent, f"/api/devices/{ids['dev']}/hosts"), (agent, '/api/drivers/spread'), (agent, '/api/sessions'), (agent, '/api/sessions/queue'), (sup, '/api/sessions/history'),
  (agent, f"/api/sessions/{ids['sess']}"), (agent, f"/api/sessions/{ids['sess']}/messages"), (agent, f"/api/sessions/{ids['sess']}/context"), (sup, f"/api/sessions/{ids['sess']}/review"),
  (sup, '/api/support/agents'), (agent, '/api/support/reviews/mine'), (sup, '/api/support/unanswered'), (agent, '/api/support/canned-replies'), (sup, '/api/support/figures'), (sup, '/api/support/figures/assistant')]
for c, p in paths:
    st, body = c.call('GET', p); found = latin_strings(body)
    print(f'## {st} {p}' + ('  (clean)' if not found else '') + (f'  RAW:{body[:100]!r}' if isinstance(body, str) and body else ''))
    for k, v in found.items(): print('   ', k, '=', v)
