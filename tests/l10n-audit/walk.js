// Second language audit (issue 19): real Chromium over the DevTools pipe (no Playwright for node here). Signs in through
// the real form, opens each page, waits until its live status settles, and prints every visible text run and readable
// attribute that holds a Latin word, minus the allowed ones (ALLOWED below).
// usage: node walk.js BASE LOCALE EMAIL|- PATH... ; prints JSON lines {path, url, lang, runs:[...]}
const { spawn } = require('child_process');
const [,, base, lang, email, ...paths] = process.argv;
const chrome = spawn('/usr/bin/chromium', ['--headless=new', '--no-sandbox', '--disable-gpu', '--remote-debugging-pipe',
  `--lang=${lang}`, `--accept-lang=${lang}`, `--user-data-dir=${require('os').tmpdir()}/l10n-audit-profile-${process.pid}`, 'about:blank'],
  { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
const out = chrome.stdio[3], inp = chrome.stdio[4];
let id = 0, buf = '', pending = new Map(), listeners = [];
inp.on('data', d => { buf += d.toString(); let i; while ((i = buf.indexOf('\0')) >= 0) { const m = JSON.parse(buf.slice(0, i)); buf = buf.slice(i + 1);
  if (m.id && pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); } else listeners.forEach(l => l(m)); } });
function send(method, params = {}, sessionId) { return new Promise((res, rej) => { const i = ++id; pending.set(i, m => m.error ? rej(new Error(method + ': ' + JSON.stringify(m.error))) : res(m.result));
  out.write(JSON.stringify({ id: i, method, params, sessionId }) + '\0'); }); }
// Product name, device ids, the language picker's own name for English, the demo's people: never a finding.
const ALLOWED = /^(Diagnostics|English|sim-\d+|Sam Supervisor|Alex Agent|Chris Customer|Casey Customer|Ada Admin)$/;
const sleep = ms => new Promise(r => setTimeout(r, ms));
(async () => {
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
  const s = (m, p) => send(m, p, sessionId);
  await s('Page.enable'); await s('Runtime.enable');
  await s('Network.enable');
  await s('Network.setExtraHTTPHeaders', { headers: { 'Accept-Language': lang } });
  await s('Emulation.setLocaleOverride', { locale: lang }).catch(() => {});
  const ev = async expr => { const r = await s('Runtime.evaluate', { expression: expr, awaitPromise: true, returnByValue: true }); if (r.exceptionDetails) throw new Error(JSON.stringify(r.exceptionDetails)); return r.result.value; };
  const go = async url => { await s('Page.navigate', { url }); for (let i = 0; i < 100; i++) { await sleep(200); try { if (await ev('document.readyState') === 'complete') break; } catch {} } };
  // settle: until live-status says live (or no live-status) and the text stops changing
  const settle = async () => { let last = '', same = 0; for (let i = 0; i < 60 && same < 4; i++) { await sleep(250);
      const t = await ev(`(document.querySelector('[data-testid=live-status]')?.getAttribute('data-state')||'none')+'|'+document.body.innerText.length`);
      if (t === last && !t.startsWith('connecting')) same++; else same = 0; last = t; } };
  if (email !== '-') {
    await go(base + '/account/login'); await settle();
    await ev(`(()=>{const set=(id,v)=>{const e=document.querySelector('[data-testid='+id+']'); const p=Object.getOwnPropertyDescriptor(HTMLInputElement.prototype,'value'); p.set.call(e,v); e.dispatchEvent(new Event('input',{bubbles:true})); e.dispatchEvent(new Event('change',{bubbles:true}));}; set('email','${email}'); set('password','diagnostics-demo'); document.querySelector('[data-testid=sign-in]').click(); return 1;})()`);
    for (let i = 0; i < 50; i++) { await sleep(200); const u = await ev('location.pathname').catch(() => '/account/login'); if (!u.startsWith('/account/login')) break; }
  }
  const collect = `(()=>{const word=/(?<![A-Za-z])(?=[A-Za-z]*[a-z])[A-Za-z]{2,}(?![A-Za-z])/; const runs=new Set();
    const skip=e=>e.closest('script,style,code,pre,[data-l10n-allow]');
    const w=document.createTreeWalker(document.body,NodeFilter.SHOW_TEXT); let n;
    while((n=w.nextNode())){ const p=n.parentElement; if(!p||skip(p)||!p.checkVisibility({visibilityProperty:true})) continue;
      const t=n.textContent.replace(/\\s+/g,' ').trim(); if(t&&word.test(t)) runs.add(t.slice(0,160)); }
    for (const e of document.querySelectorAll('[title],[aria-label],[placeholder],[alt],input[type=submit][value],input[type=button][value]')) { if(skip(e)) continue;
      for (const a of ['title','aria-label','placeholder','alt']) { const v=e.getAttribute(a); if(v&&word.test(v)) runs.add('@'+a+': '+v.slice(0,160)); }
      if((e.type==='submit'||e.type==='button')&&word.test(e.value||'')) runs.add('@value: '+e.value); }
    if(word.test(document.title)) runs.add('@document.title: '+document.title);
    return {lang:document.documentElement.lang, runs:[...runs]};})()`;
  for (const p of paths) {
    const fill = p.split('|'); // path|click-selector (optional): click then collect again
    await go(base + fill[0]); await settle();
    let r = await ev(collect);
    if (fill[1]) { for (const sel of fill.slice(1)) { await ev(`document.querySelectorAll(${JSON.stringify(sel)}).forEach(e=>e.click())`).catch(()=>{}); await settle(); }
      const r2 = await ev(collect); r.runs = [...new Set([...r.runs, ...r2.runs])]; }
    console.log(JSON.stringify({ path: p, url: await ev('location.href'), lang: r.lang, runs: r.runs.filter(t => !ALLOWED.test(t)) }));
  }
  chrome.kill();
  process.exit(0);
})().catch(e => { console.error(e); chrome.kill(); process.exit(1); });
