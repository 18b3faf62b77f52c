// Measures, in the page, whether any visible text of the modal is clipped, overflows its
// element or the viewport, or overlaps other text. Shared by layout.test.mjs (pseudo-locale)
// and a11y.test.mjs (the real translations).

/**
 * Runs in the page (pass it to `page.evaluate`): the layout problems of the open modal, as
 * sentences naming the element and the text (empty when every text fits).
 * @returns {string[]}
 */
export function layoutProblems() {
  const host = document.querySelector('[data-entra-connect]');
  const root = host?.shadowRoot;
  if (!root) return ['no modal is open'];
  const problems = [];
  const tolerance = 1.5;
  const viewportWidth = document.documentElement.clientWidth;
  const name = (element) => {
    const classes = typeof element.className === 'string' && element.className ? '.' + element.className.trim().split(/\s+/).join('.') : '';
    return element.tagName.toLowerCase() + (element.id ? '#' + element.id : '') + classes;
  };
  // Up the tree, through the shadow root to its host.
  const ancestors = function* (element) {
    for (let at = element; at; at = at.parentElement || at.getRootNode().host) yield at;
  };
  const shown = (element) => {
    for (const at of ancestors(element)) {
      if (at.hidden || at.classList.contains('sr-only')) return false;
      const style = getComputedStyle(at);
      if (style.display === 'none' || style.visibility === 'hidden') return false;
    }
    return true;
  };
  const texts = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!element || !node.textContent.trim() || !shown(element)) continue;
    // A closed <details> lays out only its <summary>.
    const closed = element.closest('details:not([open])');
    if (closed && !element.closest('summary')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0.5 && r.height > 0.5);
    const sample = JSON.stringify(node.textContent.trim().slice(0, 50));
    // Text under a sticky bar (the actions) from a scrolled container is covered, not
    // overlapped: it scrolls into view above the bar.
    const pinned = [...ancestors(element)].find((at) => ['sticky', 'fixed'].includes(getComputedStyle(at).position) && at !== host) ?? null;
    for (const rect of rects) texts.push({ rect, element, sample, pinned });
    const box = element.getBoundingClientRect();
    for (const rect of rects) {
      // Sideways only: a glyph box may be taller than its line (CJK fonts), which is fine.
      if (rect.left < box.left - tolerance || rect.right > box.right + tolerance) {
        problems.push(`${sample} overflows its ${name(element)}`);
        break;
      }
    }
    for (const rect of rects) {
      if (rect.left < -tolerance || rect.right > viewportWidth + tolerance) {
        problems.push(`${sample} runs off the viewport`);
        break;
      }
    }
    // Any ancestor that hides what overflows it, on either axis, must hold the text whole.
    // Vertically, a scroll container (the dialog, the sheet) may hold text out of view: the
    // admin scrolls to it, so nothing above that container counts on that axis.
    let scrolled = false;
    for (const at of ancestors(element)) {
      const style = getComputedStyle(at);
      const clipsX = style.overflowX !== 'visible';
      const clipsY = !scrolled && (style.overflowY === 'hidden' || style.overflowY === 'clip');
      if (style.overflowY === 'auto' || style.overflowY === 'scroll') scrolled = true;
      if (!clipsX && !clipsY) continue;
      const box = at.getBoundingClientRect();
      const cut = rects.some(
        (rect) =>
          (clipsX && (rect.left < box.left - tolerance || rect.right > box.right + tolerance)) ||
          (clipsY && (rect.top < box.top - tolerance || rect.bottom > box.bottom + tolerance)),
      );
      if (cut) {
        problems.push(`${sample} is clipped by ${name(at)}`);
        break;
      }
    }
  }
  // Nothing may scroll sideways (a scroll container is fine vertically: the sheet scrolls).
  for (const element of root.querySelectorAll('*')) {
    if (!shown(element) || element.matches('input, select, textarea')) continue;
    const style = getComputedStyle(element);
    if ((style.overflowX === 'auto' || style.overflowX === 'scroll') && element.scrollWidth > element.clientWidth + tolerance) {
      problems.push(`${name(element)} scrolls sideways (${element.scrollWidth} > ${element.clientWidth})`);
    }
  }
  // Controls whose own text does not fit (a select shows its option without a text node).
  for (const control of root.querySelectorAll('select, button')) {
    if (shown(control) && control.scrollWidth > control.clientWidth + tolerance) {
      problems.push(`${name(control)} is narrower than its text (${control.scrollWidth} > ${control.clientWidth})`);
    }
  }
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i];
      const b = texts[j];
      if (a.element === b.element || a.pinned !== b.pinned) continue;
      const width = Math.min(a.rect.right, b.rect.right) - Math.max(a.rect.left, b.rect.left);
      const height = Math.min(a.rect.bottom, b.rect.bottom) - Math.max(a.rect.top, b.rect.top);
      if (width > 2 && height > 2) {
        problems.push(`${a.sample} (${name(a.element)}) overlaps ${b.sample} (${name(b.element)})`);
      }
    }
  }
  return [...new Set(problems)];
}
