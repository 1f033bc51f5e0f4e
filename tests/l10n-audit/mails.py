# Third audit (issue 19): each e-mail aiosmtpd's Debugging handler printed (README.md), its recipient, decoded subject
# and body lines, so a reader sees which language each one came in.
import sys, re, email, email.policy
text = open(sys.argv[1], encoding='utf-8', errors='replace').read()
for chunk in re.split(r'-{10} MESSAGE FOLLOWS -{10}\n', text)[1:]:
    raw = chunk.split('------------ END MESSAGE ------------')[0]
    raw = re.sub(r'^mail options:.*\n\n?', '', raw)  # the sink's own line before the headers
    msg = email.message_from_string(raw, policy=email.policy.default)
    body = msg.get_body(('plain', 'html'))
    print('##', msg['To'], '|', msg['Subject'])
    # an 8bit body is already text in the log; get_content() would escape it again
    text = '' if body is None else body.get_payload() if body['Content-Transfer-Encoding'] == '8bit' else body.get_content()
    for line in text.splitlines():
        if line.strip(): print('   ', line.strip()[:160])
