#!/bin/sh
# The language audit (issue 19) against a running demo cloud: see README.md. Prints what is still English.
set -e
here=$(dirname "$0")
base=${BASE:-http://127.0.0.1:5991}
mail=${MAIL_LOG:-/tmp/audit-mail.log}
ids=$(BASE=$base /usr/bin/python3 "$here/setup.py" | tail -1)
session=$(echo "$ids" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["session"])')
acted=$(BASE=$base /usr/bin/python3 "$here/actions.py" | tail -1)
solved=$(echo "$acted" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["session"])')
sleep 30 # the rollout's wave and health check run on the demo's clock; the pages are read after it halted
rollout=$(BASE=$base /usr/bin/python3 -c "import sys; sys.path.insert(0,'$here'); from api import Client; print(Client('supervisor@demo.test').call('GET','/api/updates/rollouts')[1][0]['id'])" 2>/dev/null)
for locale in zh-CN ja-JP; do
  echo "# $locale"
  node "$here/walk.js" "$base" $locale - / /account/login /account/forgot-password "/account/reset?token=x" /account/denied /not-found /no-such-page
  node "$here/walk.js" "$base" $locale customer@demo.test /app /app/devices/sim-0001 /app/devices/sim-0003 /app/pair /app/notifications /app/support "/app/support/$session" \
    "/app/support/$solved" /dashboard
  node "$here/walk.js" "$base" $locale customer2@demo.test /app /app/notifications /app/support
  node "$here/walk.js" "$base" $locale agent@demo.test /dashboard /dashboard/support "/dashboard/support/$solved" /dashboard/kb/paper-jam/edit /dashboard/rollouts
  node "$here/walk.js" "$base" $locale supervisor@demo.test /dashboard /dashboard/devices /dashboard/devices/sim-0001 /dashboard/devices/sim-0004 /dashboard/fixes \
    /dashboard/support "/dashboard/support/$session" "/dashboard/support/$solved" /dashboard/support/unanswered /dashboard/support/assistant /dashboard/support/history \
    /dashboard/kb /dashboard/kb/paper-jam /dashboard/kb/audit-stapler-stuck /dashboard/kb/paper-jam/edit /dashboard/kb/new-article/edit /dashboard/rollouts "/dashboard/rollouts/$rollout" \
    /dashboard/drivers /account/password
  BASE=$base /usr/bin/python3 "$here/probe.py" ${locale%-*} | sed "s/^/api /"
  BASE=$base /usr/bin/python3 "$here/refused.py" ${locale%-*} | sed "s/^/refused /"
done
# e-mails: every message the sink received (password resets asked in Chinese and in Japanese), subject and body lines
/usr/bin/python3 "$here/mails.py" "$mail" | sed "s/^/mail /"
# POST/PUT/DELETE answers last: they change the demo's data
for lang in zh ja; do BASE=$base /usr/bin/python3 "$here/mutations.py" $lang | sed "s/^/mutation $lang /"; done
