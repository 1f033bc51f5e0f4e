# Third audit (issue 19): the states a page reaches only by someone's action, made through the real APIs after
# setup.py: a Japanese conversation handed over, taken, given a fix card the customer approves and closed solved with
# the article linked (its words become a proposed training phrase); one more proposed by an agent; password-reset
# e-mails asked in Chinese and in Japanese. Prints the ids the walk needs as the last line.
import sys, os, json
sys.path.insert(0, os.path.dirname(__file__)); from api import Client
cust, agent, sup = Client('customer@demo.test', 'ja'), Client('agent@demo.test'), Client('supervisor@demo.test')
def p(label, r): print(label, r[0], json.dumps(r[1], ensure_ascii=False)[:200]); return r[1]
dev = cust.call('GET', '/api/me/devices')[1][0]['deviceId']
s = p('open', cust.call('POST', '/api/me/sessions', {'deviceId': dev, 'text': '紙が詰まって、印刷が途中で止まります'}))
sid = s['id']
p('handover', cust.call('POST', f'/api/me/sessions/{sid}/handover'))
p('take', agent.call('POST', f'/api/sessions/{sid}/take'))
fix = p('fix', agent.call('POST', f'/api/sessions/{sid}/fixes', {'articleId': 'paper-jam'}))
proposal = (fix or {}).get('proposalId') or (fix or {}).get('id') or next((m.get('proposalId') for m in cust.call('GET', f'/api/me/sessions/{sid}/messages')[1] if isinstance(m, dict) and m.get('proposalId')), 'nope')
p('approve', cust.call('POST', f'/api/me/sessions/{sid}/fixes/{proposal}/approve'))
p('close', agent.call('POST', f'/api/sessions/{sid}/close', {'summary': 'paper jam', 'category': 'Paper handling', 'solution': 'cleared', 'resolved': True, 'articleId': 'paper-jam'}))
p('phrase', agent.call('POST', '/api/kb/articles/paper-jam/phrases', {'text': '紙がくしゃくしゃになって出てくる', 'language': 'ja', 'sessionId': sid}))
p('reset mail zh', Client(None, 'zh-Hans').call('POST', '/api/auth/password-reset', {'email': 'customer2@demo.test'}))
p('reset mail ja', Client(None, 'ja').call('POST', '/api/auth/password-reset', {'email': 'agent@demo.test'}))
print(json.dumps({'session': sid, 'proposal': proposal}))
