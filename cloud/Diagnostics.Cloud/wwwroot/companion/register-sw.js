// Registers the companion's service worker for the app's pages (/app...). It is served from /app/service-worker.js,
// so the browser lets it control /app and below.
if ('serviceWorker' in navigator) {
    window.addEventListener('load', () => {
        navigator.serviceWorker.register('/app/service-worker.js', { scope: '/app' }).catch(() => {
            // Without a service worker the app still works online; only the offline page is missing.
        });
    });
}
