// Pan and zoom of a topology diagram (Shared/Topology/TopologyDiagram.razor).
// Blazor renders the SVG and keeps it up to date; this module only writes the transform of its <g class="viewport">,
// an attribute Blazor never renders, so status updates never reset the view. Coordinates: the <svg> has a viewBox of
// the layout's size, so its user units are layout units; the viewport maps a layout point p to k * p + (x, y).

const READABLE_SCALE = 0.85;   // on-screen pixels per layout unit at which 11px text stays legible
const ZOOMED_OUT_SCALE = 0.5;  // below this, messages and labels are hidden (see .zoomed-out)
const MIN_K = 0.2;
const MAX_K = 4;
const DRAG_THRESHOLD = 4;      // pixels a press must move before it is a pan rather than a click

const states = new WeakMap();

export function attach(host) {
    if (!host || states.has(host)) {
        return;
    }

    const svg = host.querySelector('svg.topology-svg');
    const viewport = svg && svg.querySelector('g.viewport');
    if (!viewport) {
        return;
    }

    const state = { host, svg, viewport, k: 1, x: 0, y: 0, press: null, suppressClick: false, listeners: [] };
    const on = (target, type, handler, options) => {
        target.addEventListener(type, handler, options);
        state.listeners.push(() => target.removeEventListener(type, handler, options));
    };

    on(svg, 'wheel', e => {
        e.preventDefault();
        const factor = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015));
        zoomAt(state, state.k * factor, toUser(state, e.clientX, e.clientY));
    }, { passive: false });

    on(svg, 'pointerdown', e => {
        if (e.button !== 0) {
            return;
        }
        state.press = { id: e.pointerId, cx: e.clientX, cy: e.clientY, x: state.x, y: state.y, moved: false };
    });

    on(svg, 'pointermove', e => {
        const press = state.press;
        if (!press || press.id !== e.pointerId) {
            return;
        }
        const dx = e.clientX - press.cx;
        const dy = e.clientY - press.cy;
        if (!press.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) {
            return;
        }
        if (!press.moved) {
            press.moved = true;
            svg.setPointerCapture(e.pointerId);
            host.classList.add('panning');
        }
        const unit = pixelsPerUnit(state);
        state.x = press.x + dx / unit;
        state.y = press.y + dy / unit;
        apply(state);
    });

    const release = e => {
        const press = state.press;
        if (!press || press.id !== e.pointerId) {
            return;
        }
        state.press = null;
        host.classList.remove('panning');
        if (press.moved) {
            // The click that ends a pan must not open the node it happens to end on.
            state.suppressClick = true;
            setTimeout(() => { state.suppressClick = false; }, 0);
        }
    };
    on(svg, 'pointerup', release);
    on(svg, 'pointercancel', release);

    on(host, 'click', e => {
        if (state.suppressClick) {
            e.stopPropagation();
            e.preventDefault();
            state.suppressClick = false;
        }
    }, true);

    on(host, 'click', e => {
        const button = e.target.closest && e.target.closest('[data-zoom]');
        if (!button || !host.contains(button)) {
            return;
        }
        const centre = { x: width(state) / 2, y: height(state) / 2 };
        switch (button.dataset.zoom) {
            case 'in': zoomAt(state, state.k * 1.25, centre); break;
            case 'out': zoomAt(state, state.k / 1.25, centre); break;
            case 'fit': fit(state); break;
            case 'readable': readable(state); break;
        }
    });

    states.set(host, state);
    initial(state);
}

/// A new layout: start again from the first view.
export function reset(host) {
    const state = states.get(host);
    if (state) {
        initial(state);
    } else {
        attach(host);
    }
}

export function detach(host) {
    const state = states.get(host);
    if (state) {
        state.listeners.forEach(remove => remove());
        states.delete(host);
    }
}

function width(state) { return parseFloat(state.host.dataset.width) || state.svg.viewBox.baseVal.width; }

function height(state) { return parseFloat(state.host.dataset.height) || state.svg.viewBox.baseVal.height; }

// On-screen pixels per user unit of the <svg> (what the viewBox alone gives), times the viewport's zoom.
function baseScale(state) {
    const ctm = state.svg.getScreenCTM();
    return ctm ? ctm.a : 1;
}

function pixelsPerUnit(state) { return baseScale(state); }

function toUser(state, clientX, clientY) {
    const ctm = state.svg.getScreenCTM();
    if (!ctm) {
        return { x: 0, y: 0 };
    }
    const p = new DOMPoint(clientX, clientY).matrixTransform(ctm.inverse());
    return { x: p.x, y: p.y };
}

function zoomAt(state, k, at) {
    const next = Math.min(MAX_K, Math.max(MIN_K, k));
    // Keep the layout point under `at` where it is.
    const px = (at.x - state.x) / state.k;
    const py = (at.y - state.y) / state.k;
    state.k = next;
    state.x = at.x - next * px;
    state.y = at.y - next * py;
    apply(state);
}

function fit(state) {
    state.k = 1;
    state.x = 0;
    state.y = 0;
    apply(state);
}

// The smallest zoom at which text is legible, centred on the focus node (the first root cause) or the top middle.
function readable(state) {
    const base = baseScale(state);
    const k = Math.max(1, READABLE_SCALE / base);
    const w = width(state);
    const h = height(state);
    const fx = parseFloat(state.host.dataset.focusX);
    const fy = parseFloat(state.host.dataset.focusY);
    const focusX = Number.isFinite(fx) ? fx : w / 2;
    const focusY = Number.isFinite(fy) ? fy : 0;
    state.k = Math.min(MAX_K, k);
    state.x = clamp(w / 2 - state.k * focusX, w - state.k * w, 0);
    state.y = clamp(h / 2 - state.k * focusY, h - state.k * h, 0);
    apply(state);
}

// The whole stack when it fits at a legible size; otherwise legible, around the focus.
function initial(state) {
    if (baseScale(state) >= READABLE_SCALE) {
        fit(state);
    } else {
        readable(state);
    }
}

function clamp(value, min, max) { return Math.min(max, Math.max(min, value)); }

function apply(state) {
    state.viewport.setAttribute('transform', `translate(${state.x.toFixed(1)} ${state.y.toFixed(1)}) scale(${state.k.toFixed(3)})`);
    state.host.classList.toggle('zoomed-out', baseScale(state) * state.k < ZOOMED_OUT_SCALE);
}
