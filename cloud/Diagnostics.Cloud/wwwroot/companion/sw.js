// The companion app's service worker: keeps the app shell's static files (styles, scripts, icons) for offline
// use, and answers page loads with an offline page when the network is gone. Pages and data are never
// served from the cache: they are personal and live, so they always come from the server.
// v2: the offline page and manifest are written in the reader's language; v1 kept an English copy.
const VERSION = 'companion-v2';
const SHELL = [
    '/companion/offline.html',
    '/companion/manifest.webmanifest',
    '/companion/icon.svg',
    '/companion/icon-192.png',
    '/companion/icon-512.png',
    '/_framework/blazor.web.js',
];
const OFFLINE_PAGE = '/companion/offline.html';

self.addEventListener('install', event => {
    event.waitUntil(caches.open(VERSION).then(cache => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', event => {
    event.waitUntil(
        caches.keys()
            .then(keys => Promise.all(keys.filter(key => key !== VERSION).map(key => caches.delete(key))))
            .then(() => self.clients.claim()));
});

function isStaticAsset(url) {
    return url.origin === self.location.origin
        && (url.pathname.startsWith('/companion/')
            || url.pathname.startsWith('/css/')
            || url.pathname === '/_framework/blazor.web.js'
            || /\.(css|js|png|svg|woff2?)$/.test(url.pathname))
        && !url.pathname.startsWith('/_blazor')
        && !url.pathname.startsWith('/api/')
        && !url.pathname.startsWith('/hubs/');
}

self.addEventListener('fetch', event => {
    const request = event.request;
    if (request.method !== 'GET')
        return;
    const url = new URL(request.url);

    if (request.mode === 'navigate') {
        // Network first, always: the page shows live, personal state. Offline: the offline page, kept in the language
        // of the last page loaded (the customer may have picked another since the worker was installed).
        event.respondWith(fetch(request).then(response => {
            if (response.ok)
                event.waitUntil(caches.open(VERSION).then(cache => cache.add(OFFLINE_PAGE)).catch(() => {}));
            return response;
        }).catch(() => caches.match(OFFLINE_PAGE)));
        return;
    }

    if (isStaticAsset(url)) {
        // Network first so an updated app never runs with old scripts; the copy kept here serves when offline.
        event.respondWith(
            fetch(request).then(response => {
                if (response.ok) {
                    const copy = response.clone();
                    event.waitUntil(caches.open(VERSION).then(cache => cache.put(request, copy)));
                }
                return response;
            }).catch(() => caches.match(request).then(cached => cached || Response.error())));
    }
});
