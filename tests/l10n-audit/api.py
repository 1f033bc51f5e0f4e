import json, urllib.request, http.cookiejar, sys, os
B = os.environ.get('BASE', 'http://127.0.0.1:5991')
class Client:
    def __init__(self, email, lang='zh-Hans'):
        self.jar = http.cookiejar.CookieJar(); self.lang = lang
        self.op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        if email: print(email, self.call('POST', '/api/auth/login', {'email': email, 'password': 'diagnostics-demo'})[0], file=sys.stderr)
    def call(self, method, path, body=None, lang=None, raw=None, ctype='application/json'):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        r = urllib.request.Request(B + path, data=data, method=method, headers={'Accept-Language': lang or self.lang, **({'Content-Type': ctype} if data is not None else {})})
        try:
            with self.op.open(r) as resp: status, text = resp.status, resp.read().decode()
        except urllib.error.HTTPError as e: status, text = e.code, e.read().decode()
        try: return status, json.loads(text)
        except Exception: return status, text
