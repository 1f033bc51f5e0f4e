// Time charts of the dashboard, drawn by uPlot (wwwroot/lib/uplot, see Web/Charts/README.md). The server sends a
// chart's whole spec (range, times, series with null for "no data"); this module loads uPlot on first use (only
// pages with a chart pay for it), draws, redraws on new data, follows the host's width and the colour scheme.
const charts = new WeakMap();
let loading;

function loadUPlot() {
    if (window.uPlot)
        return Promise.resolve(window.uPlot);
    loading ??= new Promise((resolve, reject) => {
        const css = document.createElement('link');
        css.rel = 'stylesheet';
        css.href = '/lib/uplot/uPlot.min.css';
        document.head.append(css);
        const script = document.createElement('script');
        script.src = '/lib/uplot/uPlot.iife.min.js';
        script.onload = () => resolve(window.uPlot);
        script.onerror = () => reject(new Error('uPlot did not load'));
        document.head.append(script);
    });
    return loading;
}

function colour(host, name, fallback) {
    return getComputedStyle(host).getPropertyValue(name).trim() || fallback;
}

function number(value, wholeNumbers) {
    if (value == null)
        return '–';
    return wholeNumbers ? Math.round(value).toLocaleString() : value.toLocaleString(undefined, { maximumFractionDigits: 2 });
}

// A tooltip's moment as the reader's culture writes it ("12/6/26, 3:04 PM", "2026/12/06 15:04"), in UTC, wrapped in
// the language's own "in UTC" ("{0} UTC", "{0}（UTC）") that the server hands over with the culture.
const momentFormats = new Map();
function moment(spec, ts) {
    const language = spec.language || document.documentElement.lang || undefined;
    const key = language ?? '';
    if (!momentFormats.has(key))
        momentFormats.set(key, new Intl.DateTimeFormat(language, { dateStyle: 'short', timeStyle: 'short', timeZone: 'UTC' }));
    const text = momentFormats.get(key).format(new Date(ts * 1000));
    return (spec.atUtc || '{0} UTC').replace('{0}', text);
}

// The time axis's labels as the reader's culture writes them ("Dec 7" / "12月7日", "3 PM" / "15時"), in UTC: uPlot's own
// formats carry English month names. Which parts a label shows follows the ticks' spacing (foundIncr, in seconds) as
// uPlot's defaults do: years; months; days; times, with the date under the first tick and under each new day's.
const DAY = 86400;
const axisFormats = new Map();
function axisFormat(language, parts) {
    const key = (language ?? '') + JSON.stringify(parts);
    if (!axisFormats.has(key))
        axisFormats.set(key, new Intl.DateTimeFormat(language, { ...parts, timeZone: 'UTC' }));
    return axisFormats.get(key);
}

function timeAxisValues(host, spec) {
    return (u, splits, axisIdx, foundSpace, foundIncr) => {
        const language = spec.language || document.documentElement.lang || undefined;
        const write = (parts, ts) => axisFormat(language, parts).format(new Date(ts * 1000));
        const year = { year: 'numeric' };
        const monthDay = { month: 'short', day: 'numeric' };
        const labels = splits.map((ts, i) => {
            const previous = i > 0 ? new Date(splits[i - 1] * 1000) : null;
            const date = new Date(ts * 1000);
            const newYear = !previous || previous.getUTCFullYear() !== date.getUTCFullYear();
            if (foundIncr >= 365 * DAY)
                return write(year, ts);
            if (foundIncr >= 28 * DAY)
                return write({ month: 'short' }, ts) + (newYear ? '\n' + write(year, ts) : '');
            if (foundIncr >= DAY)
                return write(monthDay, ts) + (newYear ? '\n' + write(year, ts) : '');
            const newDay = !previous || previous.toISOString().slice(0, 10) !== date.toISOString().slice(0, 10);
            const time = write(foundIncr < 60 ? { hour: 'numeric', minute: '2-digit', second: '2-digit' } : { hour: 'numeric', minute: '2-digit' }, ts);
            return time + (newDay ? '\n' + write(monthDay, ts) : '');
        });
        // The axis is drawn on a canvas: what it says is kept on the host too, for tests and anyone inspecting the page.
        host.dataset.axisTimes = splits.join(' ');
        host.dataset.axisLabels = JSON.stringify(labels);
        return labels;
    };
}

function options(uPlot, host, spec) {
    const ink = colour(host, '--ink', '#1d2733');
    const muted = colour(host, '--muted', '#5b6776');
    const line = colour(host, '--line', '#d9dee5');
    const font = '13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
    const unit = spec.unit ? ` ${spec.unit}` : '';
    return {
        width: Math.max(200, host.clientWidth),
        height: spec.height,
        // The dashboard speaks UTC everywhere ("2024-05-01 12:00 UTC"), so do the chart's axes.
        tzDate: ts => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        legend: { show: true, live: true },
        cursor: { points: { size: 7 } },
        scales: {
            x: { time: true, range: () => [spec.from, spec.to] },
            y: { range: (u, min, max) => [0, spec.max ?? Math.max(spec.wholeNumbers ? 4 : 1, Math.ceil((max ?? 0) * 1.1))] },
        },
        axes: [
            { stroke: muted, font, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 }, values: timeAxisValues(host, spec) },
            {
                stroke: muted, font, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 }, size: 56,
                values: (u, ticks) => ticks.map(t => number(t, spec.wholeNumbers) + (spec.unit === '%' ? '%' : '')),
                incrs: spec.wholeNumbers ? [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] : undefined,
            },
        ],
        series: [
            { label: spec.timeLabel, value: (u, ts) => ts == null ? '–' : moment(spec, ts) },
            ...spec.series.map(s => ({
                label: s.name,
                stroke: s.color,
                width: 2,
                // null is "no data": drawn as a gap, never as a line across it.
                spanGaps: false,
                points: { show: (u, si, i0, i1) => i1 - i0 < 60 },
                value: (u, v) => number(v, spec.wholeNumbers) + unit,
            })),
        ],
    };
}

function create(uPlot, host, spec) {
    host.replaceChildren();
    const plot = new uPlot(options(uPlot, host, spec), [spec.times, ...spec.series.map(s => s.values)], host);
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, host.clientWidth), height: spec.height }));
    resize.observe(host);
    const scheme = window.matchMedia('(prefers-color-scheme: dark)');
    const recolour = () => draw(host, charts.get(host).spec, true);
    scheme.addEventListener('change', recolour);
    charts.set(host, { plot, spec, stop: () => { resize.disconnect(); scheme.removeEventListener('change', recolour); plot.destroy(); } });
    host.dataset.drawn = 'true';
}

/** Draws the chart in host, or gives it new data when only the data changed. */
export async function draw(host, spec, rebuild = false) {
    const uPlot = await loadUPlot();
    const existing = charts.get(host);
    const sameShape = existing && !rebuild && existing.spec.series.length === spec.series.length
        && existing.spec.series.every((s, i) => s.name === spec.series[i].name && s.color === spec.series[i].color)
        && existing.spec.max === spec.max && existing.spec.height === spec.height;
    if (sameShape) {
        // The axes' range functions read this same object: new bounds take effect with the new data.
        Object.assign(existing.spec, spec);
        existing.plot.setData([spec.times, ...spec.series.map(s => s.values)], true);
        return;
    }
    existing?.stop();
    create(uPlot, host, spec);
}

export function dispose(host) {
    charts.get(host)?.stop();
    charts.delete(host);
}
