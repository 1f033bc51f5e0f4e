# What the audit counts as "still English" in an API answer: a string with a space and two or more Latin words of three
# letters or more (one English word may be a code, a model or a unit). JSON inside a string is read too.
import json, re
WORD = re.compile(r'(?<![A-Za-z])(?=[A-Za-z]*[a-z])[A-Za-z]{3,}(?![A-Za-z])')

def latin_strings(value, skip=()):
    found = {}
    def walk(v, path):
        if isinstance(v, dict):
            for k, x in v.items():
                if k not in skip: walk(x, path + '.' + k)
        elif isinstance(v, list):
            for x in v[:40]: walk(x, path + '[]')
        elif isinstance(v, str):
            if v.startswith('{'):
                try: walk(json.loads(v), path + '<json>')
                except ValueError: pass
            elif ' ' in v.strip() and len(WORD.findall(v)) >= 2: found.setdefault(path, v[:160])
    walk(value, '')
    return found
