// The reconnect dialog (Web/Components/ReconnectDialog.razor): Blazor reports each state of a dropped connection as an
// event on the dialog and as a class the stylesheet turns into the matching line; this opens and closes it and makes its
// buttons work. Retrying and resuming are Blazor's own calls; when the server no longer knows the page, it is reloaded.
const dialog = document.getElementById("components-reconnect-modal");

if (dialog) {
    dialog.addEventListener("components-reconnect-state-changed", event => {
        const state = event.detail.state;
        if (state === "hide") {
            dialog.close();
            return;
        }
        if (!dialog.open) {
            dialog.showModal();
        }
        if (state === "failed") {
            // A phone that slept: try again as soon as the page is looked at.
            document.addEventListener("visibilitychange", retryWhenVisible);
        } else if (state === "rejected" || (state === "resume-failed" && event.detail.remote === true)) {
            location.reload();
        }
    });
    document.getElementById("components-reconnect-button")?.addEventListener("click", retry);
    document.getElementById("components-resume-button")?.addEventListener("click", resume);
    document.getElementById("components-reload-button")?.addEventListener("click", () => location.reload());
}

async function retry() {
    document.removeEventListener("visibilitychange", retryWhenVisible);
    try {
        // true: connected again; false: the server answered but no longer has this page's circuit.
        if (!await Blazor.reconnect()) {
            await resume();
        }
    } catch {
        // The server is still out of reach: the dialog stays on "failed" and the next look at the page tries again.
        document.addEventListener("visibilitychange", retryWhenVisible);
    }
}

async function resume() {
    try {
        if (await Blazor.resumeCircuit()) {
            dialog.close();
            return;
        }
    } catch {
        // Falls through to a reload: the page's state is gone either way.
    }
    location.reload();
}

async function retryWhenVisible() {
    if (document.visibilityState === "visible") {
        await retry();
    }
}
