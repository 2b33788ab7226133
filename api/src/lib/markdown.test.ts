import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { renderMarkdown, sanitize, slugify } from './markdown.js';

// htmlparser2 is what sanitize-html parses with; it is not a direct dependency of the api package, so it is resolved
// from sanitize-html's own location (pnpm keeps dependencies strict).
const apiRequire = createRequire(new URL('../../package.json', import.meta.url));
const htmlparser2 = createRequire(apiRequire.resolve('sanitize-html'))('htmlparser2') as {
  parseDocument(html: string, opts?: { decodeEntities?: boolean }): DomNode;
};

interface DomNode {
  type: string;
  name?: string;
  attribs?: Record<string, string>;
  data?: string;
  children?: DomNode[];
}

interface El { name: string; attribs: Record<string, string>; text: string }

/** Every element of the output, as the browser would see it (entities in attributes decoded). */
function elements(html: string): El[] {
  const out: El[] = [];
  const textOf = (n: DomNode): string => (n.type === 'text' ? n.data ?? '' : (n.children ?? []).map(textOf).join(''));
  const walk = (n: DomNode) => {
    if (n.type === 'tag' || n.type === 'script' || n.type === 'style') out.push({ name: n.name!.toLowerCase(), attribs: n.attribs ?? {}, text: textOf(n) });
    (n.children ?? []).forEach(walk);
  };
  walk(htmlparser2.parseDocument(html, { decodeEntities: true }));
  return out;
}

/** The text a reader sees (entities decoded). */
function textContent(html: string): string {
  const textOf = (n: DomNode): string => (n.type === 'text' ? n.data ?? '' : (n.children ?? []).map(textOf).join(''));
  return textOf(htmlparser2.parseDocument(html, { decodeEntities: true }));
}

// The sanitizer's allow-list: nothing else may ever come out of the pipeline.
const ALLOWED_TAGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'blockquote', 'ul', 'ol', 'li', 'strong', 'em', 'del',
  'code', 'pre', 'a', 'img', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'input', 'sup', 'sub', 'span']);
const FORBIDDEN_TAGS = ['script', 'svg', 'math', 'iframe', 'object', 'embed', 'style', 'form', 'base', 'meta', 'link', 'frame', 'frameset',
  'button', 'textarea', 'select', 'details', 'video', 'audio', 'source', 'body', 'html', 'noscript', 'template', 'applet'];
const URL_ATTRS = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background', 'poster', 'srcset'];

/** A URL as a browser reads its scheme: control characters and whitespace inside are ignored. */
/* eslint-disable-next-line no-control-regex -- a browser ignores these control characters inside a URL scheme */
const schemeOf = (url: string) => /^([a-z][a-z0-9+.-]*):/i.exec(url.replace(/[\u0000-\u0020\u007f-\u009f]/g, ''))?.[1]?.toLowerCase() ?? null;

/** Asserts that nothing in the HTML can run script, load from elsewhere or change the page. */
function assertInert(html: string, label: string) {
  expect(html, label).not.toMatch(/<script/i);
  for (const el of elements(html)) {
    const where = `${label}: <${el.name} ${JSON.stringify(el.attribs)}>`;
    expect(FORBIDDEN_TAGS, where).not.toContain(el.name);
    expect(ALLOWED_TAGS.has(el.name), where).toBe(true);
    for (const [name, value] of Object.entries(el.attribs)) {
      expect(name, where).not.toMatch(/^on/i);
      expect(['style', 'srcdoc', 'formaction', 'xmlns', 'xlink:href'], where).not.toContain(name.toLowerCase());
      if (URL_ATTRS.includes(name.toLowerCase())) {
        const scheme = schemeOf(value);
        expect(['javascript', 'vbscript', 'data', 'file'], where).not.toContain(scheme);
        expect(value, where).not.toMatch(/^\s*\/\//); // protocol-relative: another host
      }
    }
    if (el.name === 'img' && el.attribs.src !== undefined) {
      // Images only from this server: a path, never a scheme (no tracking pixels, no data: URLs).
      expect(schemeOf(el.attribs.src), where).toBeNull();
    }
    if (el.name === 'a' && el.attribs.href !== undefined) {
      const scheme = schemeOf(el.attribs.href);
      expect([null, 'http', 'https', 'mailto'], where).toContain(scheme);
    }
    if (el.name === 'input') expect(el.attribs.type, where).toBe('checkbox');
  }
}

const ASSETS = '/api/modules/0b5c1f8e-1111-4222-8333-444455556666/assets';

// Each vector is a piece of markdown a trainer (or an attacker with a trainer's account) might save.
const VECTORS: [string, string][] = [
  ['script block', '<script>alert(1)</script>'],
  ['script inline', 'hello <script>alert(1)</script> world'],
  ['script mixed case', '<ScRiPt src="//evil.example/x.js"></sCrIpT>'],
  ['script split by another tag', '<scr<script>ipt>alert(1)</script>'],
  ['nested angle brackets', '<<script>script>alert(1)<</script>/script>'],
  ['unclosed script', '<script'],
  ['unclosed img with handler', '<img src=x onerror=alert(1)//'],
  ['unclosed anchor', 'text <a href="javascript:alert(1)" onclick="alert(1)'],
  ['javascript: link', '[x](javascript:alert(1))'],
  ['javascript: link mixed case', '[x](JaVaScRiPt:alert(1))'],
  ['javascript: link, leading spaces', '[x](  javascript:alert(1))'],
  ['javascript: link in angle brackets', '[x](<javascript:alert(1)>)'],
  ['javascript: link, decimal entity', '[x](&#106;avascript:alert(1))'],
  ['javascript: link, padded decimal entity', '[x](&#0000106;avascript:alert(1))'],
  ['javascript: link, hex entities', '[x](&#x6A;avascript&#x3A;alert(1))'],
  ['javascript: link, named colon entity', '[x](javascript&colon;alert(1))'],
  ['javascript: link, tab inside', '[x](java\tscript:alert(1))'],
  ['javascript: link, control char', '[x](\u0001javascript:alert(1))'],
  ['vbscript: link', '[x](vbscript:msgbox(1))'],
  ['vbscript: link, entity colon', '[x](VBScript&#58;msgbox(1))'],
  ['data: link', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
  ['data: link upper case', '[x](DATA:text/html,<script>alert(1)</script>)'],
  ['protocol-relative link', '[x](//evil.example/)'],
  ['image with javascript:', '![x](javascript:alert(1))'],
  ['image with data: svg', '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)'],
  ['image from another host', '![pixel](https://tracker.example/p.png)'],
  ['image protocol-relative', '![pixel](//tracker.example/p.png)'],
  ['image inside javascript: link', '[![x](javascript:alert(1))](javascript:alert(1))'],
  ['reference-style link', '[click][r]\n\n[r]: javascript:alert(1)'],
  ['reference-style link, shortcut', '[r]\n\n[r]: JAVASCRIPT:alert(1) "title"'],
  ['reference-style image', '![img][i]\n\n[i]: javascript:alert(1)'],
  ['autolink javascript:', '<javascript:alert(1)>'],
  ['autolink vbscript:', '<vbscript:msgbox(1)>'],
  ['bare javascript: text', 'see javascript:alert(1) and www.example.com'],
  ['link title attribute injection', '[x](https://a.example "t\\" onmouseover=\\"alert(1)")'],
  ['link title with angle brackets', '[x](https://a.example "<img src=x onerror=alert(1)>")'],
  ['quote breaking out of href', '[x](https://example.com/"onmouseover="alert(1))'],
  ['image alt attribute injection', '![a" onerror="alert(1)](x.png)'],
  ['image alt with tags', '![<script>alert(1)</script>](x.png)'],
  ['image title injection', '![a](x.png "t\\" onload=\\"alert(1)")'],
  ['event handler on bold', 'text <b onclick=alert(1)>x</b>'],
  ['event handler on img', '<img src=x onerror=alert(1)>'],
  ['event handler, slash separator', '<img/src=x/onerror=alert(1)>'],
  ['raw anchor with entity-encoded javascript:', '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>'],
  ['svg onload', '<svg onload=alert(1)>'],
  ['svg slash onload', '<svg/onload=alert(1)>'],
  ['svg with script', '<svg><script>alert(1)</script></svg>'],
  ['svg animate', '<svg><animate onbegin=alert(1) attributeName=x dur=1s>'],
  ['math with xlink', '<math><mi xlink:href="javascript:alert(1)">x</mi></math>'],
  ['math mglyph style mutation', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>'],
  ['iframe', '<iframe src="javascript:alert(1)"></iframe>'],
  ['iframe srcdoc', '<iframe srcdoc="<script>alert(1)</script>"></iframe>'],
  ['object', '<object data="https://evil.example/x.swf"></object>'],
  ['embed', '<embed src="https://evil.example/x.swf">'],
  ['style element', '<style>body{background:url("javascript:alert(1)")}</style>'],
  ['style attribute', '<p style="background:url(javascript:alert(1))">x</p>'],
  ['form', '<form action="javascript:alert(1)"><button>go</button></form>'],
  ['button formaction', '<button formaction="javascript:alert(1)">x</button>'],
  ['input autofocus', '<input autofocus onfocus=alert(1)>'],
  ['meta refresh', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'],
  ['base href', '<base href="javascript:/">'],
  ['link stylesheet', '<link rel="stylesheet" href="https://evil.example/x.css">'],
  ['details ontoggle', '<details open ontoggle=alert(1)>'],
  ['video source onerror', '<video><source onerror=alert(1)></video>'],
  ['body onload', '<body onload=alert(1)>'],
  ['noscript mutation', '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'],
  ['html comment hiding script', '<!-- <script>alert(1)</script> -->'],
  ['unterminated comment', '<!-- <img src=x onerror=alert(1)>'],
  ['CDATA', '<![CDATA[<script>alert(1)</script>]]>'],
  ['processing instruction', '<?xml version="1.0"?><x onload="alert(1)"/>'],
  ['raw HTML block in a div', '<div>\n<script>alert(1)</script>\n</div>'],
  ['raw HTML inside a list', '- item <img src=x onerror=alert(1)>\n- <iframe src=//evil.example>'],
  ['raw HTML in a table', '| <script>alert(1)</script> | b |\n|---|---|\n| <img src=x onerror=alert(1)> | 2 |'],
  ['raw HTML in a heading', '## <img src=x onerror=alert(1)> 标题'],
  ['raw HTML in a blockquote', '> <svg onload=alert(1)>'],
  ['raw HTML inside CJK bold', '的**<img src=x onerror=alert(1)>**是'],
  ['javascript: link inside CJK bold', '的**[x](javascript:alert(1))**是'],
  ['html in code span', '`<script>alert(1)</script>`'],
  ['html in fenced code', '```\n<script>alert(1)</script>\n```'],
  ['fenced code language injection', '```js" onload="alert(1)\ncode\n```'],
  ['task list with a text input', '- [x] <input type=text onfocus=alert(1)>'],
  ['heading attribute injection', '# x" onclick="alert(1)'],
  ['double-escaped entities stay text', '&lt;script&gt;alert(1)&lt;/script&gt;'],
];

describe('the markdown pipeline against XSS', () => {
  it('has a corpus of at least 40 vectors', () => {
    expect(VECTORS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(VECTORS)('%s: nothing executable survives', (label, markdown) => {
    for (const opts of [{}, { assetBase: ASSETS }]) {
      const { html, toc, text } = renderMarkdown(markdown, opts);
      assertInert(html, label);
      expect(typeof text).toBe('string');
      // The table of contents is plain text and ids are slugs: nothing there can break out of an attribute.
      for (const t of toc) expect(t.id).toMatch(/^[\p{L}\p{N}-]+$/u);
    }
  });

  it.each(VECTORS)('%s: the sanitizer alone (the second wall) also leaves nothing executable', (label, markdown) => {
    // The markdown renderer shows raw HTML as text, so the sanitizer rarely sees these tags; run it on them directly.
    assertInert(sanitize(markdown), label);
  });

  it('shows raw HTML as text rather than dropping the writer\'s words', () => {
    const { html } = renderMarkdown('Before <b onclick="x()">bold?</b> after');
    expect(elements(html).map((e) => e.name)).toEqual(['p']);
    expect(textContent(html)).toBe('Before <b onclick="x()">bold?</b> after\n');
  });

  it('keeps the words of a dangerous link but drops its target', () => {
    const { html } = renderMarkdown('[点这里](javascript:alert(1)) 看看');
    const [a] = elements(html).filter((e) => e.name === 'a');
    expect(a.text).toBe('点这里');
    expect(a.attribs.href).toBeUndefined();
  });

  it('escapes quotes in alt and title rather than letting them end the attribute', () => {
    const { html } = renderMarkdown('![a" onerror="alert(1)](x.png "t\\" onload=\\"y")', { assetBase: ASSETS });
    const [img] = elements(html).filter((e) => e.name === 'img');
    expect(Object.keys(img.attribs).sort()).toEqual(['alt', 'loading', 'src', 'title']);
    expect(img.attribs.alt).toBe('a" onerror="alert(1)');
    expect(img.attribs.title).toBe('t" onload="y');
  });

  it('opens external links safely and keeps mailto', () => {
    const { html } = renderMarkdown('[site](https://example.com/a?b=1) and <https://example.org> and <mailto:trainer@example.com>');
    const links = elements(html).filter((e) => e.name === 'a');
    expect(links).toHaveLength(3);
    for (const a of links.slice(0, 2)) {
      expect(a.attribs.rel).toBe('noopener noreferrer nofollow');
      expect(a.attribs.target).toBe('_blank');
    }
    expect(links[0].attribs.href).toBe('https://example.com/a?b=1');
    expect(links[2].attribs.href).toBe('mailto:trainer@example.com');
    expect(links[2].attribs.target).toBeUndefined();
  });

  it('limits classes to the known ones', () => {
    const out = sanitize('<blockquote class="sample evil">q</blockquote><code class="language-js x">c</code><span class="blank other" style="color:red">s</span>');
    const els = elements(out);
    expect(els.map((e) => [e.name, e.attribs.class])).toEqual([['blockquote', 'sample'], ['code', 'language-js'], ['span', 'blank']]);
    expect(els[2].attribs.style).toBeUndefined();
  });
});

describe('the markdown pipeline, what it should produce', () => {
  it('gives headings ids and builds a table of contents from ## and ###, Chinese included', () => {
    const md = '# 总量浮动管理\n\n## 一、为什么要学\n\n正文。\n\n### 1. 法律依据\n\n## Self-check\n\n## 一、为什么要学\n\n#### 不进目录\n';
    const { html, toc } = renderMarkdown(md);
    const headings = elements(html).filter((e) => /^h\d$/.test(e.name));
    expect(headings.map((h) => [h.name, h.attribs.id, h.text])).toEqual([
      ['h1', '总量浮动管理', '总量浮动管理'],
      ['h2', '一-为什么要学', '一、为什么要学'],
      ['h3', '1-法律依据', '1. 法律依据'],
      ['h2', 'self-check', 'Self-check'],
      ['h2', '一-为什么要学-1', '一、为什么要学'],
      ['h4', '不进目录', '不进目录'],
    ]);
    expect(toc).toEqual([
      { id: '一-为什么要学', text: '一、为什么要学', depth: 2 },
      { id: '1-法律依据', text: '1. 法律依据', depth: 3 },
      { id: 'self-check', text: 'Self-check', depth: 2 },
      { id: '一-为什么要学-1', text: '一、为什么要学', depth: 2 },
    ]);
    // Ids are unique, so every entry of the table of contents has exactly one target.
    expect(new Set(headings.map((h) => h.attribs.id)).size).toBe(headings.length);
  });

  it('keeps the table of contents as plain text, the same words the heading shows', () => {
    const { html, toc } = renderMarkdown('## `代码` and **加粗** & <b>more</b>');
    const [h2] = elements(html).filter((e) => e.name === 'h2');
    expect(toc).toHaveLength(1);
    expect(toc[0].text).toBe(h2.text);
    expect(toc[0].text).toBe('代码 and 加粗 & <b>more</b>');
  });

  it('slugifies headings of any script', () => {
    expect(slugify('行业的“地基”')).toBe('行业的-地基');
    expect(slugify('Hello, World!')).toBe('hello-world');
    expect(slugify('ＡＢＣ１２３')).toBe('abc123');
    expect(slugify('！！！')).toBe('section');
  });

  it('points relative images at the module\'s assets and leaves absolute paths alone', () => {
    const { html } = renderMarkdown('![流程图](diagram.png "订单流程")\n\n![b](./sub dir/b.jpg)\n\n![c](<./with space.png>)\n\n![d](/api/other.png)', { assetBase: ASSETS });
    const imgs = elements(html).filter((e) => e.name === 'img');
    expect(imgs[0].attribs).toMatchObject({ src: `${ASSETS}/diagram.png`, alt: '流程图', title: '订单流程', loading: 'lazy' });
    expect(imgs.find((i) => i.attribs.alt === 'c')?.attribs.src).toBe(`${ASSETS}/with%20space.png`);
    expect(imgs.find((i) => i.attribs.alt === 'd')?.attribs.src).toBe('/api/other.png');
    // Without an asset base (a question stem, a preview of a new module) the path stays as written.
    const plain = elements(renderMarkdown('![x](diagram.png)').html).filter((e) => e.name === 'img');
    expect(plain[0].attribs.src).toBe('diagram.png');
  });

  it('makes **中文“引号”** bold, also inside a Chinese sentence', () => {
    const alone = elements(renderMarkdown('**中文“引号”**').html);
    expect(alone.filter((e) => e.name === 'strong').map((e) => e.text)).toEqual(['中文“引号”']);
    const inSentence = renderMarkdown('行业的**“两个至上”**是核心价值观，**总量浮动**也要讲清。');
    expect(elements(inSentence.html).filter((e) => e.name === 'strong').map((e) => e.text)).toEqual(['“两个至上”', '总量浮动']);
    expect(inSentence.html).not.toContain('**');
    // Ordinary English emphasis still works, and lone asterisks are left as they are.
    expect(elements(renderMarkdown('a **bold** word and 2 * 3 * 4').html).filter((e) => e.name === 'strong').map((e) => e.text)).toEqual(['bold']);
  });

  it('renders tables with alignment', () => {
    const { html } = renderMarkdown('| 品牌 | 数量 |\n|:---|---:|\n| 甲 | 10 |\n| 乙 | 20 |');
    const els = elements(html);
    expect(els.filter((e) => e.name === 'table')).toHaveLength(1);
    expect(els.filter((e) => e.name === 'th').map((e) => [e.text, e.attribs.align])).toEqual([['品牌', 'left'], ['数量', 'right']]);
    expect(els.filter((e) => e.name === 'td').map((e) => e.text)).toEqual(['甲', '10', '乙', '20']);
  });

  it('renders task lists as disabled checkboxes', () => {
    const { html } = renderMarkdown('- [x] 看完课程\n- [ ] 完成自测');
    const inputs = elements(html).filter((e) => e.name === 'input');
    expect(inputs.map((i) => i.attribs)).toEqual([
      { type: 'checkbox', disabled: '', checked: '' },
      { type: 'checkbox', disabled: '' },
    ]);
  });

  it('marks sample blockquotes with class sample, in both languages, and only those', () => {
    const zh = elements(renderMarkdown('> **示例（请培训师按本单位实际替换）：** V3 菜单路径……').html).find((e) => e.name === 'blockquote');
    const en = elements(renderMarkdown('> **Sample (trainers: replace with your own):** menu path').html).find((e) => e.name === 'blockquote');
    const plain = elements(renderMarkdown('> 普通引用，**示例**不在开头').html).find((e) => e.name === 'blockquote');
    expect(zh?.attribs.class).toBe('sample');
    expect(en?.attribs.class).toBe('sample');
    expect(plain?.attribs.class).toBeUndefined();
  });

  it('keeps code language classes and returns the plain text for search', () => {
    const r = renderMarkdown('# 标题\n\n正文 *强调*。\n\n```sql\nselect 1\n```\n');
    expect(elements(r.html).find((e) => e.name === 'code')?.attribs.class).toBe('language-sql');
    expect(r.text).toContain('标题');
    expect(r.text).toContain('强调');
    expect(r.text).toContain('select 1');
  });
});
