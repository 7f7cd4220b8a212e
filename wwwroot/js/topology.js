// Pan and zoom of a topology diagram (Shared/Topology/TopologyDiagram.razor).
//
// Blazor renders the SVG and keeps it up to date; this module never touches what Blazor renders except the <svg>'s inline
// size, which Blazor never writes, so status updates keep the view. Zoom is the size of the <svg> inside a scrolling pane,
// and pan is that pane's scroll position: every node stays reachable by scrolling (keyboard focus, find-in-page and test
// drivers bring it into view), which a transform-based canvas would not allow.

const READABLE_SCALE = 0.75;   // pixels per layout unit at which 11px text stays legible
const ZOOMED_OUT_SCALE = 0.5;  // below this, messages and labels are hidden (see .zoomed-out)
const MIN_SCALE = 0.1;
const MAX_SCALE = 3;
const DRAG_THRESHOLD = 4;      // pixels a press must move before it is a pan rather than a click

const states = new WeakMap();

export function attach(host) {
    if (!host || states.has(host)) {
        return;
    }

    const scroller = host.querySelector('.topology-scroll');
    const svg = scroller && scroller.querySelector('svg.topology-svg');
    if (!svg) {
        return;
    }

    const state = { host, scroller, svg, scale: 1, press: null, suppressClick: false, listeners: [], observer: null };
    const on = (target, type, handler, options) => {
        target.addEventListener(type, handler, options);
        state.listeners.push(() => target.removeEventListener(type, handler, options));
    };

    // Ctrl (or pinch, which browsers send as ctrl) + wheel zooms around the pointer; a plain wheel scrolls the pane.
    on(scroller, 'wheel', e => {
        if (!e.ctrlKey && !e.metaKey) {
            return;
        }
        e.preventDefault();
        const factor = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.002));
        zoom(state, state.scale * factor, e.clientX, e.clientY);
    }, { passive: false });

    on(scroller, 'pointerdown', e => {
        if (e.button !== 0 || e.pointerType === 'touch') {
            return;
        }
        state.press = { id: e.pointerId, x: e.clientX, y: e.clientY, left: scroller.scrollLeft, top: scroller.scrollTop, moved: false };
    });

    on(scroller, 'pointermove', e => {
        const press = state.press;
        if (!press || press.id !== e.pointerId) {
            return;
        }
        const dx = e.clientX - press.x;
        const dy = e.clientY - press.y;
        if (!press.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) {
            return;
        }
        if (!press.moved) {
            press.moved = true;
            scroller.setPointerCapture(e.pointerId);
            host.classList.add('panning');
        }
        scroller.scrollLeft = press.left - dx;
        scroller.scrollTop = press.top - dy;
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
    on(scroller, 'pointerup', release);
    on(scroller, 'pointercancel', release);

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
        switch (button.dataset.zoom) {
            case 'in': zoom(state, state.scale * 1.25); break;
            case 'out': zoom(state, state.scale / 1.25); break;
            case 'fit': zoom(state, fitScale(state)); break;
            case 'readable': zoom(state, 1); break;
        }
    });

    on(scroller, 'scroll', () => updateMinimap(state), { passive: true });

    const minimap = host.querySelector('svg.minimap');
    if (minimap) {
        state.minimap = minimap;
        state.minimapView = minimap.querySelector('.minimap-view');
        let dragging = null;
        const panTo = e => {
            const ctm = minimap.getScreenCTM();
            if (ctm) {
                const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(ctm.inverse());
                centreOn(state, p.x, p.y);
            }
        };
        on(minimap, 'pointerdown', e => {
            if (e.button === 0) {
                dragging = e.pointerId;
                minimap.setPointerCapture(e.pointerId);
                panTo(e);
            }
        });
        on(minimap, 'pointermove', e => { if (dragging === e.pointerId) { panTo(e); } });
        on(minimap, 'pointerup', () => { dragging = null; });
        on(minimap, 'pointercancel', () => { dragging = null; });
    }

    if (typeof ResizeObserver === 'function') {
        state.observer = new ResizeObserver(() => updateMinimap(state));
        state.observer.observe(scroller);
    }

    states.set(host, state);
    initial(state);
}

/// A new layout (the stack's structure changed): start again from the first view.
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
        if (state.observer) {
            state.observer.disconnect();
        }
        states.delete(host);
    }
}

function width(state) { return parseFloat(state.host.dataset.width) || state.svg.viewBox.baseVal.width; }

function height(state) { return parseFloat(state.host.dataset.height) || state.svg.viewBox.baseVal.height; }

// The scale at which the whole diagram fits the pane, inside the <svg>'s margins (which keep nodes clear of the overlays).
function fitScale(state) {
    const style = getComputedStyle(state.svg);
    const vertical = (parseFloat(style.marginTop) || 0) + (parseFloat(style.marginBottom) || 0);
    const room = 0.98;
    return Math.min(state.scroller.clientWidth / width(state), Math.max(1, state.scroller.clientHeight - vertical) / height(state)) * room;
}

// The whole stack when it fits at a legible size (never enlarged); otherwise legible, with the focus node (the first root
// cause) in view and the rest a scroll or a drag away.
function initial(state) {
    const fit = fitScale(state);
    const scale = fit >= READABLE_SCALE ? Math.min(fit, 1) : Math.min(1, READABLE_SCALE);
    setScale(state, scale);

    // From the top middle; scrolled only as far as it takes to show the focus node well inside the pane.
    const scroller = state.scroller;
    const origin = svgOrigin(state);
    let left = origin.x + (width(state) * state.scale - scroller.clientWidth) / 2;
    let top = 0;
    const fx = parseFloat(state.host.dataset.focusX);
    const fy = parseFloat(state.host.dataset.focusY);
    if (Number.isFinite(fx) && Number.isFinite(fy)) {
        const x = origin.x + fx * state.scale;
        const y = origin.y + fy * state.scale;
        const margin = 140 * state.scale;
        if (x < left + margin || x > left + scroller.clientWidth - margin) {
            left = x - scroller.clientWidth / 2;
        }
        if (y > top + scroller.clientHeight - margin) {
            top = y - scroller.clientHeight / 2;
        }
    }
    scroller.scrollLeft = left;
    scroller.scrollTop = top;
    updateMinimap(state);
}

// Zooms keeping the layout point under (clientX, clientY) in place; the pane's centre when no point is given.
function zoom(state, scale, clientX, clientY) {
    const pane = state.scroller.getBoundingClientRect();
    const x = clientX ?? pane.left + pane.width / 2;
    const y = clientY ?? pane.top + pane.height / 2;
    const before = state.svg.getBoundingClientRect();
    const px = (x - before.left) / state.scale;
    const py = (y - before.top) / state.scale;
    setScale(state, scale);
    const after = state.svg.getBoundingClientRect();
    state.scroller.scrollLeft += after.left + px * state.scale - x;
    state.scroller.scrollTop += after.top + py * state.scale - y;
    updateMinimap(state);
}

function setScale(state, scale) {
    state.scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
    state.svg.style.width = `${(width(state) * state.scale).toFixed(1)}px`;
    state.svg.style.height = `${(height(state) * state.scale).toFixed(1)}px`;
    state.host.classList.toggle('zoomed-out', state.scale < ZOOMED_OUT_SCALE);
    updateMinimap(state);
}

// Scrolls so that the layout point (x, y) is in the middle of the pane, as far as the diagram allows.
function centreOn(state, x, y) {
    const scroller = state.scroller;
    const origin = svgOrigin(state);
    scroller.scrollLeft = origin.x + x * state.scale - scroller.clientWidth / 2;
    scroller.scrollTop = origin.y + y * state.scale - scroller.clientHeight / 2;
    updateMinimap(state);
}

// Where the <svg> starts in the pane's scrollable content (it is centred when narrower than the pane). SVG elements have
// no offsetLeft, so this goes through the client rectangles.
function svgOrigin(state) {
    const pane = state.scroller.getBoundingClientRect();
    const svg = state.svg.getBoundingClientRect();
    return {
        x: svg.left - pane.left - state.scroller.clientLeft + state.scroller.scrollLeft,
        y: svg.top - pane.top - state.scroller.clientTop + state.scroller.scrollTop,
    };
}

// The part of the layout on screen, drawn on the minimap; the minimap shows only when that is not all of it.
function updateMinimap(state) {
    const scroller = state.scroller;
    const overflowing = scroller.scrollWidth > scroller.clientWidth + 1 || scroller.scrollHeight > scroller.clientHeight + 1;
    state.host.classList.toggle('overflowing', overflowing);
    if (!state.minimapView) {
        return;
    }
    const origin = svgOrigin(state);
    const left = Math.max(0, (scroller.scrollLeft - origin.x) / state.scale);
    const top = Math.max(0, (scroller.scrollTop - origin.y) / state.scale);
    const right = Math.min(width(state), left + scroller.clientWidth / state.scale);
    const bottom = Math.min(height(state), top + scroller.clientHeight / state.scale);
    state.minimapView.setAttribute('x', left.toFixed(1));
    state.minimapView.setAttribute('y', top.toFixed(1));
    state.minimapView.setAttribute('width', Math.max(0, right - left).toFixed(1));
    state.minimapView.setAttribute('height', Math.max(0, bottom - top).toFixed(1));
}
