# Data for the audit, made through the real APIs of a demo cloud (README.md): an article with no translation, a
# conversation opened in Chinese, handed over, answered and given a fix card, more handed-over questions the articles do
# not answer, a rollout of the demo's faulty 2.2.0 (halts itself), and a password-reset e-mail.
import sys, os, json
sys.path.insert(0, os.path.dirname(__file__)); from api import Client
cust, agent, sup = Client('customer@demo.test'), Client('agent@demo.test'), Client('supervisor@demo.test')
def p(label, r): print(label, r[0], json.dumps(r[1], ensure_ascii=False)[:200])
dev = cust.call('GET', '/api/me/devices')[1][0]['deviceId']
p('import', sup.call('POST', '/api/kb/import', {'articles': [open(os.path.join(os.path.dirname(__file__), 'article-without-translation.md')).read()]}))
p('available', agent.call('PUT', '/api/support/agents/me', {'available': True}))
s = cust.call('POST', '/api/me/sessions', {'deviceId': dev, 'text': '卡纸了，打印到一半就停了'}); p('open', s)
sid = s[1]['id']
p('handover', cust.call('POST', f'/api/me/sessions/{sid}/handover'))
p('reply', agent.call('POST', f'/api/sessions/{sid}/messages', {'text': '您好，我来帮您看看。'}))
p('fix', agent.call('POST', f'/api/sessions/{sid}/fixes', {'articleId': 'paper-jam'}))
for q in ['打印机发出很大的咔哒声', 'プリンターから焦げた匂いがする', 'printer smells of burning plastic']:
    s2 = cust.call('POST', '/api/me/sessions', {'deviceId': dev, 'text': q}); p('question', s2)
    p('handover', cust.call('POST', f"/api/me/sessions/{s2[1]['id']}/handover"))
package = next(x['packageId'] for x in sup.call('GET', '/api/updates/packages')[1] if x['version'] == '2.2.0')
p('rollout', sup.call('POST', '/api/updates/rollouts', {'name': 'Audit 2.2.0', 'packageId': package, 'waves': [100], 'waveWindowSeconds': 10, 'failureThresholdPercent': 10, 'requireApproval': False}))
p('reset mail', Client(None).call('POST', '/api/auth/password-reset', {'email': 'customer@demo.test'}))
print(json.dumps({'session': sid, 'device': dev}))
